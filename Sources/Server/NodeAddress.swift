import NIOCore
import ArgumentParser

/// The IP address our ICE candidates advertise.
enum NodeAddress {
    /// `configured` wins; else the bind address if it is a concrete one; else the first
    /// non-loopback IPv4 interface address; else 127.0.0.1.
    static func resolve(configured: String, bind: String) throws -> String {
        if !configured.isEmpty {
            guard (try? SocketAddress(ipAddress: configured, port: 0)) != nil else {
                throw ValidationError("config: rtc.node_ip: \"\(configured)\" is not an IP address")
            }
            return configured
        }
        if bind != "0.0.0.0", bind != "::", (try? SocketAddress(ipAddress: bind, port: 0)) != nil {
            return bind
        }
        let devices = (try? System.enumerateDevices()) ?? []
        for device in devices {
            if case .v4 = device.address, let ip = device.address?.ipAddress, !ip.hasPrefix("127.") { return ip }
        }
        return "127.0.0.1"
    }
}
