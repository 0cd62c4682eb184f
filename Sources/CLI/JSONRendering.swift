import SwiftProtobuf

/// The protobuf JSON mapping of a response, as `--json` prints it.
enum JSONRendering {
    static func render(_ message: some SwiftProtobuf.Message) throws(ServerAPIError) -> String {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = false
        do { return try message.jsonString(options: options) } catch {
            throw .twirp(.malformedResponse("cannot render JSON: \(error)"))
        }
    }
}
