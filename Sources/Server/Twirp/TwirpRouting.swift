import SwiftProtobuf

/// Which node of a deployment answers a Twirp method (issue 10 part 2). On a single node
/// everything is `.here`.
enum TwirpRouting: Sendable {
    /// This node, whatever the request names (node-local state).
    case here
    /// The node hosting the room the request names; `creates`: place the room if it has none.
    case roomOwner(creates: Bool)
    /// Every live node; the replies (in the request's encoding) are merged into one.
    case everyNode(merge: @Sendable (_ replies: [[UInt8]], _ json: Bool) throws -> [UInt8])
    /// The first node that does not answer `not_found` (an egress, by id), this one first.
    case firstFound

    /// Merges the replies of every node by concatenating one repeated field.
    static func concatenating<Response: SwiftProtobuf.Message, Element>(
        _ type: Response.Type, _ field: WritableKeyPath<Response, [Element]> & Sendable
    ) -> TwirpRouting {
        .everyNode { replies, json in
            var merged = Response()
            for reply in replies {
                let part = json ? try Response(jsonUTF8Bytes: reply, options: TwirpMethod.jsonDecoding) : try Response(serializedBytes: reply)
                merged[keyPath: field] += part[keyPath: field]
            }
            if json {
                let bytes: [UInt8] = try merged.jsonUTF8Bytes(options: TwirpMethod.jsonEncoding)
                return bytes
            }
            let bytes: [UInt8] = try merged.serializedBytes()
            return bytes
        }
    }
}
