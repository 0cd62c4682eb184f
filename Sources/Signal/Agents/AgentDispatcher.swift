/// The agent job dispatcher of PROTOCOL.md §10: matches jobs to registered agent workers
/// and follows each job through availability, assignment, status and termination.
///
/// A pure state machine: no sockets, no clocks. The shell feeds it worker messages and the
/// time (`now`, Unix seconds, e.g. `Date().timeIntervalSince1970`; only differences matter
/// for timers, absolute values go into `JobState` timestamps as nanoseconds) and performs
/// the returned actions in order. Call `tick(now:)` regularly (every ~0.5–1 s): it fires
/// availability timeouts, places waiting jobs on workers that registered or became
/// available since, and fails jobs that waited longer than `maxWait`.
///
/// Policies:
/// - Worker choice: among workers registered under the job's agent name with its job type,
///   WS_AVAILABLE and load < 1, that have not refused this job: the lowest reported load,
///   then the fewest jobs held here (reports lag by up to 2.5 s), then registration order.
/// - A refusal (`available=false`) or no answer within `availabilityTimeout` excludes that
///   worker for this job and offers the job to the next one. Each offer is one attempt; a
///   job that needs an offer after `maxAttempts` offers fails.
/// - With no worker to offer it to, a job waits for up to `maxWait` seconds, then fails.
/// - When a worker's socket closes, its pending offers count as refusals, and its running
///   jobs are re-offered, as a new attempt with the SAME job id, to another worker with the
///   same agent name. Keeping the id keeps ListDispatch stable and gives the new agent the
///   same default identity ("agent-" + job id), so it replaces the dead agent's stale
///   participant instead of sitting beside it. If no worker can take a running job right
///   away it fails at once (`jobFailed`): the job was live and must not vanish silently.
/// - Ended jobs stay listed for `endedJobRetention` seconds, or until their room is cancelled.
public struct AgentDispatcher: Sendable {
    public var availabilityTimeout: Double
    public var maxAttempts: Int
    /// How long a job may wait for a worker before it fails.
    public var maxWait: Double = 30
    /// How long ended jobs stay visible in `jobs(room:)`.
    public var endedJobRetention: Double = 300

    private var workerTable: [WorkerID: AgentWorkerRecord] = [:]
    private var jobTable: [String: AgentJobRecord] = [:]
    private var ids = AgentIdentifierSource()
    private var nextSequence = 0
    /// The last finite `now` seen: a NaN or infinite time must not freeze a timer forever.
    private var lastNow = 0.0

    public init(availabilityTimeout: Double = 7.5, maxAttempts: Int = 3) {
        self.availabilityTimeout = availabilityTimeout
        self.maxAttempts = max(1, maxAttempts)
    }

    // MARK: - Workers

    /// A worker sent `RegisterWorkerRequest` (PROTOCOL.md §10 step 1). It starts WS_AVAILABLE
    /// with load 0; jobs waiting for it are offered on the next `tick`.
    public mutating func registerWorker(agentName: String, jobType: Livekit_JobType, now: Double) -> WorkerID {
        let id = WorkerID(rawValue: ids.make("AW_"))
        workerTable[id] = AgentWorkerRecord(id: id, agentName: agentName, jobType: jobType, sequence: takeSequence())
        return id
    }

    /// `UpdateWorkerStatus` (§10 step 2). Jobs waiting for a worker are placed on the next `tick`.
    public mutating func updateWorker(_ id: WorkerID, status: Livekit_WorkerStatus, load: Float, now: Double) {
        guard var worker = workerTable[id] else { return }
        worker.status = status
        // NaN or infinite loads make the worker unusable rather than confusing the ordering.
        worker.load = load.isFinite ? max(0, load) : 1
        workerTable[id] = worker
    }

    /// The worker's socket closed: its running jobs are re-offered to another worker with the
    /// same agent name (as new attempts), or reported failed; pending offers to it are retried elsewhere.
    public mutating func removeWorker(_ id: WorkerID, now: Double) -> [AgentDispatcherAction] {
        let now = clock(now)
        guard workerTable.removeValue(forKey: id) != nil else { return [] }
        var actions: [AgentDispatcherAction] = []
        for jobID in orderedJobIDs(where: { $0.holder == id }) {
            guard var record = jobTable[jobID] else { continue }
            record.excluded.insert(id)
            switch record.phase {
            case .offered:
                record.phase = .waiting(since: now)
                jobTable[jobID] = record
                place(jobID, now: now, waitIfNoWorker: true, into: &actions)
            case .running:
                resetForNewAttempt(&record, now: now)
                record.phase = .waiting(since: now)
                jobTable[jobID] = record
                place(jobID, now: now, waitIfNoWorker: false, into: &actions)
            case .waiting, .ended:
                jobTable[jobID] = record
            }
        }
        return actions
    }

    /// True when some registered worker could be offered a job of this name and type now.
    /// Useful before creating the implicit `agent_name=""` jobs, which LiveKit only creates
    /// when such workers exist.
    /// The agent name and job type of every registered worker.
    public func workerPools() -> [(agentName: String, type: Livekit_JobType)] {
        workerTable.values.map { ($0.agentName, $0.jobType) }
    }

    public func hasWorkers(agentName: String, type: Livekit_JobType) -> Bool {
        workerTable.values.contains { $0.agentName == agentName && $0.jobType == type }
    }

    public func workers() -> [(id: WorkerID, agentName: String, status: Livekit_WorkerStatus, load: Float, jobCount: Int)] {
        workerTable.values.sorted { $0.sequence < $1.sequence }.map { worker in
            let running = jobTable.values.filter { record in
                if case .running(let holder) = record.phase { return holder == worker.id }
                return false
            }.count
            return (worker.id, worker.agentName, worker.status, worker.load, running)
        }
    }

    // MARK: - Jobs

    /// A dispatch for a room (from CreateDispatch, token roomConfig.agents, CreateRoom.agents, or the
    /// implicit room job with agentName ""): picks the least-loaded available worker registered under
    /// agentName (status WS_AVAILABLE, load < 1) with matching job type; if none, the job waits
    /// (retried when a worker registers/becomes available) until `maxWait` then fails.
    public mutating func dispatch(
        agentName: String, room: Livekit_Room, dispatchID: String, metadata: String, type: Livekit_JobType,
        participant: Livekit_ParticipantInfo?, now: Double
    ) -> [AgentDispatcherAction] {
        let now = clock(now)
        var job = Livekit_Job()
        job.id = ids.make("AJ_")
        job.dispatchID = dispatchID
        job.type = type
        job.room = room
        if let participant, type != .jtRoom { job.participant = participant }
        job.metadata = metadata
        job.agentName = agentName
        var state = Livekit_JobState()
        state.status = .jsPending
        state.updatedAt = agentTimestampNanos(now)
        job.state = state
        jobTable[job.id] = AgentJobRecord(job: job, sequence: takeSequence(), phase: .waiting(since: now))
        var actions: [AgentDispatcherAction] = []
        place(job.id, now: now, waitIfNoWorker: true, into: &actions)
        return actions
    }

    /// AvailabilityResponse from a worker (§10 step 4). Answers for jobs not currently offered
    /// to that worker (late, after a timeout, or after a cancel) are ignored.
    public mutating func availabilityResponse(
        from worker: WorkerID, _ response: Livekit_AvailabilityResponse, now: Double
    ) -> [AgentDispatcherAction] {
        let now = clock(now)
        guard var record = jobTable[response.jobID],
            case .offered(let offeredTo, _) = record.phase, offeredTo == worker
        else { return [] }
        var actions: [AgentDispatcherAction] = []
        guard response.available else {
            record.excluded.insert(worker)
            record.phase = .waiting(since: now)
            jobTable[response.jobID] = record
            place(response.jobID, now: now, waitIfNoWorker: true, into: &actions)
            return actions
        }
        let identity = response.participantIdentity.isEmpty ? "agent-" + record.job.id : response.participantIdentity
        record.phase = .running(worker: worker)
        record.job.state.workerID = worker.rawValue
        record.job.state.participantIdentity = identity
        record.job.state.startedAt = agentTimestampNanos(now)
        record.stamp(status: .jsRunning, now: now)
        jobTable[response.jobID] = record
        actions.append(
            .assign(
                worker: worker, job: record.job, participantIdentity: identity,
                participantName: response.participantName, participantMetadata: response.participantMetadata,
                participantAttributes: response.participantAttributes))
        return actions
    }

    /// UpdateJobStatus from a worker (JS_RUNNING, JS_SUCCESS, JS_FAILED; §10 step 6). Updates
    /// for jobs the worker does not hold are ignored.
    public mutating func jobStatus(from worker: WorkerID, _ update: Livekit_UpdateJobStatus, now: Double) -> [AgentDispatcherAction] {
        let now = clock(now)
        guard var record = jobTable[update.jobID], case .running(let holder) = record.phase, holder == worker else {
            return []
        }
        switch update.status {
        case .jsRunning:
            record.stamp(status: .jsRunning, now: now)
            jobTable[update.jobID] = record
            return []
        case .jsSuccess, .jsFailed, .jsCancelled:
            record.job.state.error = update.error
            end(&record, status: update.status, now: now)
            jobTable[update.jobID] = record
            return [.jobEnded(job: record.job, status: update.status)]
        case .jsPending, .UNRECOGNIZED:
            return []
        }
    }

    /// Cancel jobs of a dispatch (DeleteDispatch) or of a room (room closed): terminate running ones.
    /// Both filters apply when both are given; with neither, nothing is cancelled. Each cancelled job
    /// yields `jobEnded(status: .jsCancelled)` (after `terminate` for a running one). A room's jobs,
    /// ended ones included, are then forgotten.
    public mutating func cancel(dispatchID: String?, room: String?, now: Double) -> [AgentDispatcherAction] {
        let now = clock(now)
        guard dispatchID != nil || room != nil else { return [] }
        let matching = orderedJobIDs { record in
            (dispatchID == nil || record.job.dispatchID == dispatchID)
                && (room == nil || record.job.room.name == room)
        }
        var actions: [AgentDispatcherAction] = []
        for jobID in matching {
            guard var record = jobTable[jobID] else { continue }
            if !record.isEnded {
                if case .running(let worker) = record.phase {
                    actions.append(.terminate(worker: worker, jobID: jobID))
                }
                record.job.state.reason = room != nil ? .jsrRoomClosed : .jsrDispatchDeleted
                end(&record, status: .jsCancelled, now: now)
                actions.append(.jobEnded(job: record.job, status: .jsCancelled))
            }
            if room != nil {
                jobTable.removeValue(forKey: jobID)
            } else {
                jobTable[jobID] = record
            }
        }
        return actions
    }

    /// Timers: availability timeouts (re-offer to another worker), waiting jobs placed on workers
    /// that appeared, waiting jobs past maxWait → failed, ended jobs past retention forgotten.
    /// Removes and returns the jobs still waiting for a worker that no worker here could take
    /// and `elsewhere` says another node's worker can (a deployment hands them over there).
    public mutating func releaseWaitingJobs(to elsewhere: (String, Livekit_JobType) -> Bool) -> [Livekit_Job] {
        var released: [Livekit_Job] = []
        for jobID in orderedJobIDs(where: { record in
            if case .waiting = record.phase { return true }
            return false
        }) {
            guard let record = jobTable[jobID], !hasWorkers(agentName: record.job.agentName, type: record.job.type),
                  elsewhere(record.job.agentName, record.job.type) else { continue }
            jobTable[jobID] = nil
            released.append(record.job)
        }
        return released
    }

    public mutating func tick(now: Double) -> [AgentDispatcherAction] {
        let now = clock(now)
        var actions: [AgentDispatcherAction] = []
        for jobID in orderedJobIDs(where: { !$0.isEnded }) {
            guard var record = jobTable[jobID] else { continue }
            switch record.phase {
            case .offered(let worker, let deadline) where now >= deadline:
                // No answer in time counts as a refusal (§10 step 5).
                record.excluded.insert(worker)
                record.phase = .waiting(since: now)
                jobTable[jobID] = record
                place(jobID, now: now, waitIfNoWorker: true, into: &actions)
            case .waiting(let since):
                if now - since >= maxWait {
                    fail(jobID, reason: noWorkerReason(record), now: now, into: &actions)
                } else {
                    place(jobID, now: now, waitIfNoWorker: true, into: &actions)
                }
            case .offered, .running, .ended:
                break
            }
        }
        let expired = orderedJobIDs { record in
            if case .ended(let at) = record.phase { return now - at >= endedJobRetention }
            return false
        }
        for jobID in expired { jobTable.removeValue(forKey: jobID) }
        return actions
    }

    /// The room's jobs in dispatch order, each with its `state` (status, worker id,
    /// participant identity, started/ended/updated in Unix nanoseconds, error).
    public func jobs(room: String) -> [Livekit_Job] {
        orderedJobIDs { $0.job.room.name == room }.compactMap { jobTable[$0]?.job }
    }

    // MARK: - Placement

    /// Offers the job to the best worker, or leaves it waiting (or fails it when
    /// `waitIfNoWorker` is false). Fails it when its attempts are used up.
    private mutating func place(_ jobID: String, now: Double, waitIfNoWorker: Bool, into actions: inout [AgentDispatcherAction]) {
        guard var record = jobTable[jobID], !record.isEnded else { return }
        guard let worker = bestWorker(for: record) else {
            if !waitIfNoWorker {
                fail(jobID, reason: noWorkerReason(record), now: now, into: &actions)
            }
            return
        }
        guard record.attempts < maxAttempts else {
            fail(jobID, reason: "no worker accepted the job after \(record.attempts) attempts", now: now, into: &actions)
            return
        }
        record.attempts += 1
        record.phase = .offered(worker: worker, deadline: now + availabilityTimeout)
        record.stamp(status: .jsPending, now: now)
        jobTable[jobID] = record
        actions.append(.offer(worker: worker, job: record.job))
    }

    private func bestWorker(for record: AgentJobRecord) -> WorkerID? {
        var best: (worker: AgentWorkerRecord, held: Int)?
        for worker in workerTable.values {
            guard worker.agentName == record.job.agentName, worker.jobType == record.job.type,
                worker.acceptsJobs, !record.excluded.contains(worker.id)
            else { continue }
            let held = jobsHeld(by: worker.id)
            if let current = best {
                let better =
                    worker.load != current.worker.load
                    ? worker.load < current.worker.load
                    : held != current.held ? held < current.held : worker.sequence < current.worker.sequence
                if !better { continue }
            }
            best = (worker, held)
        }
        return best?.worker.id
    }

    private func jobsHeld(by worker: WorkerID) -> Int {
        jobTable.values.reduce(0) { $0 + ($1.holder == worker ? 1 : 0) }
    }

    private func noWorkerReason(_ record: AgentJobRecord) -> String {
        let name = record.job.agentName.isEmpty ? "the default agent" : "agent '\(record.job.agentName)'"
        if record.excluded.isEmpty {
            return "no worker available for \(name)"
        }
        return "no worker available for \(name): \(record.excluded.count) worker(s) refused, timed out or disconnected"
    }

    private mutating func fail(_ jobID: String, reason: String, now: Double, into actions: inout [AgentDispatcherAction]) {
        guard var record = jobTable[jobID], !record.isEnded else { return }
        record.job.state.error = reason
        record.job.state.reason = .jsrNoCapacity
        end(&record, status: .jsFailed, now: now)
        jobTable[jobID] = record
        actions.append(.jobFailed(job: record.job, reason: reason))
    }

    private func end(_ record: inout AgentJobRecord, status: Livekit_JobStatus, now: Double) {
        record.phase = .ended(at: now)
        record.job.state.endedAt = agentTimestampNanos(now)
        record.stamp(status: status, now: now)
    }

    private func resetForNewAttempt(_ record: inout AgentJobRecord, now: Double) {
        record.job.state.workerID = ""
        record.job.state.participantIdentity = ""
        record.job.state.startedAt = 0
        record.job.state.reason = .jsrRetrying
        record.stamp(status: .jsPending, now: now)
    }

    private func orderedJobIDs(where include: (AgentJobRecord) -> Bool) -> [String] {
        jobTable.values.filter(include).sorted { $0.sequence < $1.sequence }.map(\.job.id)
    }

    private mutating func clock(_ now: Double) -> Double {
        if now.isFinite { lastNow = now }
        return lastNow
    }

    private mutating func takeSequence() -> Int {
        nextSequence += 1
        return nextSequence
    }
}
