/// Settings of a room composite recording (issue 5 item 1).
public struct CompositeConfiguration: Sendable {
    /// Output canvas size in pixels (even numbers; odd values are rounded down).
    public var width = 1280
    public var height = 720
    /// Output frame rate; the file's avg_frame_rate is exactly fps/1.
    public var fps = 15
    public var videoBitrate = 1_500_000
    public var audioBitrate = 128_000
    /// No video stream at all: an audio-only MP4 (AAC).
    public var audioOnly = false
    /// libx264 preset. "superfast" keeps CABAC and deblocking and met the 0.3-core budget of a 4-participant
    /// 720p15 composite (measured 0.22 core vs 0.29 for "veryfast", 0.17 for "ultrafast"; MediaCompositeBenchmarkTests).
    public var x264Preset = "superfast"
    /// A video track whose newest picture is older than this (seconds) shows the placeholder tile.
    public var staleVideoAfter = 5.0
    public var outputPath: String

    public init(outputPath: String) {
        self.outputPath = outputPath
    }
}
