import CSCTP
import Dispatch
import Foundation

/// The process-wide usrsctp instance (AF_CONN mode) and the table that maps the opaque
/// addresses usrsctp hands back in callbacks to live associations.
///
/// Associations are identified by a small integer disguised as a pointer, never by a
/// pointer to the object: usrsctp's timer thread may still produce a packet for an
/// association that has just been closed, and a stale id simply finds nothing.
/// The table holds associations strongly from `start()` until `close()`.
final class UsrsctpStack: @unchecked Sendable {
    static let shared = UsrsctpStack()

    private let lock = NSLock()
    private var associations: [UInt: SCTPAssociation] = [:]
    private var nextID: UInt = 1

    private init() {}

    /// usrsctp_init(0, ...) once per process; idempotent.
    func ensureInitialized() {
        csctp_init_once(usrsctpOutput, usrsctpReceive)
    }

    /// Adds an association and returns the address to register with usrsctp.
    func register(_ association: SCTPAssociation) -> UnsafeMutableRawPointer {
        lock.lock()
        defer { lock.unlock() }
        let id = nextID
        nextID += 1
        associations[id] = association
        // Non-null, distinct, never dereferenced by usrsctp (it only compares addresses).
        return UnsafeMutableRawPointer(bitPattern: id << 4)!
    }

    /// How long a closed association's address stays registered (see `retire`).
    static let retireDelay: DispatchTimeInterval = .seconds(2)

    /// Deregisters an address after `retireDelay`. usrsctp may defer the ABORT and the
    /// freeing of an association that another thread was using when `usrsctp_close` ran;
    /// keeping the address registered lets that late work complete normally.
    func retire(_ address: UnsafeMutableRawPointer) {
        let id = UInt(bitPattern: address)
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.retireDelay) {
            guard let address = UnsafeMutableRawPointer(bitPattern: id) else { return }
            usrsctp_deregister_address(address)
            UsrsctpStack.shared.unregister(address)
        }
    }

    func unregister(_ address: UnsafeMutableRawPointer) {
        lock.lock()
        defer { lock.unlock() }
        associations.removeValue(forKey: UInt(bitPattern: address) >> 4)
    }

    func association(for address: UnsafeMutableRawPointer?) -> SCTPAssociation? {
        guard let address else { return nil }
        lock.lock()
        defer { lock.unlock() }
        return associations[UInt(bitPattern: address) >> 4]
    }
}

/// usrsctp produced an SCTP packet (any thread, possibly with usrsctp locks held).
private let usrsctpOutput: csctp_output_fn = { address, packet, length in
    guard let association = UsrsctpStack.shared.association(for: address) else { return }
    association.handleOutgoing(UnsafeRawBufferPointer(start: packet, count: length))
}

/// usrsctp delivered data, a notification, or EOF (data == nil) for a socket.
private let usrsctpReceive: csctp_receive_fn = { ulpInfo, data, length, streamID, ppid, isNotification, endOfRecord in
    guard let association = UsrsctpStack.shared.association(for: ulpInfo) else { return }
    guard let data else {
        association.handleDisconnect()
        return
    }
    association.handleRead(UnsafeRawBufferPointer(start: data, count: length), streamID: streamID, ppid: ppid,
                           isNotification: isNotification != 0, endOfRecord: endOfRecord != 0)
}
