// The grid of video tiles: one for us (local preview) and one per remote participant, each
// with the name, a speaking indicator and mute badges. Tiles are reused across renders so
// video elements keep playing.

export class ParticipantGrid {
  constructor(container) {
    this.container = container;
    this.tiles = new Map(); // key → { root, video, label, badges }
  }

  tile(key) {
    let tile = this.tiles.get(key);
    if (tile) return tile;
    const root = document.createElement('figure');
    root.className = 'tile';
    root.dataset.key = key;
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    const caption = document.createElement('figcaption');
    const dot = document.createElement('span');
    dot.className = 'speaking-dot';
    dot.title = 'speaking';
    const label = document.createElement('span');
    label.className = 'name';
    const badges = document.createElement('span');
    badges.className = 'badges';
    caption.append(dot, label, badges);
    const placeholder = document.createElement('div');
    placeholder.className = 'placeholder';
    root.append(video, placeholder, caption);
    this.container.append(root);
    tile = { root, video, label, badges, placeholder };
    this.tiles.set(key, tile);
    return tile;
  }

  /** `views`: [{ key, name, stream, local, speaking, micMuted, camMuted }] in display order. */
  render(views) {
    const keep = new Set(views.map((v) => v.key));
    for (const [key, tile] of this.tiles) {
      if (!keep.has(key)) {
        tile.video.srcObject = null;
        tile.root.remove();
        this.tiles.delete(key);
      }
    }
    views.forEach((view, index) => {
      const tile = this.tile(view.key);
      tile.root.dataset.identity = view.identity || '';
      tile.root.dataset.name = view.name;
      tile.root.classList.toggle('local', Boolean(view.local));
      tile.root.classList.toggle('speaking', Boolean(view.speaking));
      tile.label.textContent = view.local ? `${view.name} (you)` : view.name;
      tile.placeholder.textContent = (view.name || '?').slice(0, 1).toUpperCase();
      const hasVideo = view.stream && view.stream.getVideoTracks().length > 0 && !view.camMuted;
      tile.root.classList.toggle('no-video', !hasVideo);
      tile.badges.textContent = `${view.micMuted ? ' mic off' : ''}${view.camMuted ? ' cam off' : ''}`.trim();
      if (tile.video.srcObject !== view.stream) {
        tile.video.muted = Boolean(view.local); // never play our own microphone back
        tile.video.srcObject = view.stream || null;
        tile.video.play?.().catch(() => {});
      }
      // Display order; a node moves only when out of place so its video keeps playing.
      if (this.container.children[index] !== tile.root) {
        this.container.insertBefore(tile.root, this.container.children[index] || null);
      }
    });
    this.container.dataset.count = String(views.length);
  }

  videoFor(identity) {
    for (const tile of this.tiles.values()) if (tile.root.dataset.identity === identity) return tile.video;
    return null;
  }
}
