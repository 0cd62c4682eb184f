import CSCTP
import Dispatch
import Foundation

/// The process-wide usrsctp instance (AF_CONN mode, no usrsctp threads), the timer that
/// drives it, and the table that maps the opaque addresses usrsctp hands back in callbacks
/// to live associations.
///
/// usrsctp runs single-threaded: every call into it goes through CSCTP's recursive lock,
/// and its timers are advanced by `tick` on `timerQueue` every `tickInterval` while at
/// least one association is registered.
///
/// Associations are identified by a small integer disguised as a pointer, never by a
/// pointer to the object: a packet usrsctp produces for an association that has just been
/// retired simply finds nothing. The table holds associations strongly from `start()`
/// until `close()` plus `retireDelay`.
final class UsrsctpStack: @unchecked Sendable {
    static let shared = UsrsctpStack()

    /// How long a closed association's address stays registered (see `retire`).
    static let retireDelay: DispatchTimeInterval = .seconds(2)
    /// usrsctp's timer pass walks every pending callout of every association and endpoint (a
    /// linked list, O(callouts) per call), so its cost grows with the number of data-channel
    /// peers: at 10 ms it took 3.8 % of a core with 1,000 peers. Nothing we run needs a finer
    /// clock: SACKs go out at once (no delayed-ACK timer, csctp.c), heartbeats are off, and
    /// retransmission timeouts are at least 1 s. Sends and received chunks never wait for it.
    static let tickInterval: DispatchTimeInterval = .milliseconds(100)

    private let lock = NSLock()
    private var associations: [UInt: SCTPAssociation] = [:]
    private var nextID: UInt = 1
    private let timerQueue = DispatchQueue(label: "usrsctp.timers")
    private var timer: DispatchSourceTimer?
    private var lastTick: UInt64 = 0

    private init() {}

    /// usrsctp_init_nothreads(0, ...) once per process; idempotent.
    func ensureInitialized() {
        csctp_init_once(usrsctpOutput, usrsctpReceive)
    }

    /// Adds an association, registers its address with usrsctp and returns the address.
    func register(_ association: SCTPAssociation) -> UnsafeMutableRawPointer {
        lock.lock()
        let id = nextID
        nextID += 1
        associations[id] = association
        if timer == nil { startTimerLocked() }
        lock.unlock()
        // Non-null, distinct, never dereferenced by usrsctp (it only compares addresses).
        let address = UnsafeMutableRawPointer(bitPattern: id << 4)!
        csctp_register_address(address)
        return address
    }

    /// Deregisters an address after `retireDelay`: usrsctp may still send the ABORT or
    /// free the association from a timer after `usrsctp_close`, and that late work must
    /// find the address registered.
    func retire(_ address: UnsafeMutableRawPointer) {
        let id = UInt(bitPattern: address)
        timerQueue.asyncAfter(deadline: .now() + Self.retireDelay) {
            guard let address = UnsafeMutableRawPointer(bitPattern: id) else { return }
            csctp_deregister_address(address)
            UsrsctpStack.shared.unregister(address)
        }
    }

    private func unregister(_ address: UnsafeMutableRawPointer) {
        lock.lock()
        defer { lock.unlock() }
        associations.removeValue(forKey: UInt(bitPattern: address) >> 4)
        if associations.isEmpty {
            timer?.cancel()
            timer = nil
        }
    }

    func association(for address: UnsafeMutableRawPointer?) -> SCTPAssociation? {
        guard let address else { return nil }
        lock.lock()
        defer { lock.unlock() }
        return associations[UInt(bitPattern: address) >> 4]
    }

    private func startTimerLocked() {
        let timer = DispatchSource.makeTimerSource(queue: timerQueue)
        lastTick = DispatchTime.now().uptimeNanoseconds
        timer.schedule(deadline: .now() + Self.tickInterval, repeating: Self.tickInterval)
        timer.setEventHandler { UsrsctpStack.shared.tick() }
        self.timer = timer
        timer.resume()
    }

    /// Advances usrsctp's clock by the real time elapsed since the previous tick.
    private func tick() {
        let now = DispatchTime.now().uptimeNanoseconds
        lock.lock()
        let elapsed = (now &- lastTick) / 1_000_000
        if elapsed > 0 { lastTick &+= elapsed * 1_000_000 }
        lock.unlock()
        if elapsed > 0 { csctp_handle_timers(UInt32(clamping: elapsed)) }
    }
}

/// usrsctp produced an SCTP packet (under CSCTP's lock).
private let usrsctpOutput: csctp_output_fn = { address, packet, length in
    guard let association = UsrsctpStack.shared.association(for: address) else { return }
    association.handleOutgoing(UnsafeRawBufferPointer(start: packet, count: length))
}

/// usrsctp delivered data, a notification, or EOF (data == nil) for a socket (under CSCTP's lock).
private let usrsctpReceive: csctp_receive_fn = { ulpInfo, data, length, streamID, ppid, isNotification, endOfRecord in
    guard let association = UsrsctpStack.shared.association(for: ulpInfo) else { return }
    guard let data else {
        association.handleDisconnect()
        return
    }
    association.handleRead(UnsafeRawBufferPointer(start: data, count: length), streamID: streamID, ppid: ppid,
                           isNotification: isNotification != 0, endOfRecord: endOfRecord != 0)
}
