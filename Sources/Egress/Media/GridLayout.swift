/// A rectangle in canvas pixels. All edges are even so 4:2:0 chroma lines up.
struct PixelRect: Equatable, Sendable {
    var x: Int
    var y: Int
    var width: Int
    var height: Int
}

/// Grid layout of a room composite: 1 tile → full canvas, 2 → side by side, 3–4 → 2×2, 5–6 → 3×2, 7–9 → 3×3, …
struct GridLayout: Equatable, Sendable {
    let canvasWidth: Int
    let canvasHeight: Int
    let columns: Int
    let rows: Int
    let tileCount: Int

    init(tileCount: Int, canvasWidth: Int, canvasHeight: Int) {
        self.canvasWidth = canvasWidth
        self.canvasHeight = canvasHeight
        self.tileCount = max(0, tileCount)
        var columns = 1
        while columns * columns < self.tileCount { columns += 1 }
        self.columns = columns
        self.rows = self.tileCount == 0 ? 0 : (self.tileCount + columns - 1) / columns
    }

    /// The cell of tile `index` (row-major), or nil when out of range.
    func tile(_ index: Int) -> PixelRect? {
        guard index >= 0, index < tileCount, columns > 0, rows > 0 else { return nil }
        let column = index % columns, row = index / columns
        let x0 = Self.even(canvasWidth * column / columns), x1 = Self.even(canvasWidth * (column + 1) / columns)
        let y0 = Self.even(canvasHeight * row / rows), y1 = Self.even(canvasHeight * (row + 1) / rows)
        return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    /// The largest rectangle of the source's aspect ratio that fits in `cell`, centred (letterbox / pillarbox).
    static func fit(sourceWidth: Int, sourceHeight: Int, into cell: PixelRect) -> PixelRect? {
        guard sourceWidth > 0, sourceHeight > 0, cell.width >= 2, cell.height >= 2 else { return nil }
        var width = cell.width
        var height = cell.width * sourceHeight / sourceWidth
        if height > cell.height {
            height = cell.height
            width = cell.height * sourceWidth / sourceHeight
        }
        width = max(2, even(width))
        height = max(2, even(height))
        return PixelRect(x: cell.x + even((cell.width - width) / 2), y: cell.y + even((cell.height - height) / 2),
                         width: width, height: height)
    }

    static func even(_ value: Int) -> Int { value & ~1 }
}
