/// A registered agent worker, as the dispatcher sees it.
struct AgentWorkerRecord: Sendable {
    let id: WorkerID
    let agentName: String
    let jobType: Livekit_JobType
    /// Registration order: the last tie-break when choosing a worker.
    let sequence: Int
    var status: Livekit_WorkerStatus = .wsAvailable
    var load: Float = 0

    /// PROTOCOL.md §10 step 2: a worker takes jobs while WS_AVAILABLE and load < 1.
    var acceptsJobs: Bool {
        status == .wsAvailable && load < 1
    }
}

/// One job and where it is in its life:
/// waiting → offered(worker) → running(worker) → ended, with offered → offered/waiting on a
/// refusal or timeout and running → offered on the worker's disconnect.
struct AgentJobRecord: Sendable {
    enum Phase: Sendable, Equatable {
        /// No worker could be offered the job; retried on every tick until `maxWait`.
        case waiting(since: Double)
        /// AvailabilityRequest sent; refusal when `deadline` passes (PROTOCOL.md §10 step 5: 7.5 s).
        case offered(worker: WorkerID, deadline: Double)
        /// Assigned (JobAssignment sent); the worker owns the job until it reports an end.
        case running(worker: WorkerID)
        case ended(at: Double)
    }

    var job: Livekit_Job
    /// Dispatch order: jobs are listed and retried in this order.
    let sequence: Int
    var phase: Phase
    /// Availability requests sent for this job so far (each is one attempt).
    var attempts = 0
    /// Workers that refused the job, timed out on it, or vanished while holding it.
    var excluded: Set<WorkerID> = []

    var isEnded: Bool {
        if case .ended = phase { return true }
        return false
    }

    /// The worker currently holding the job (offered or running), if any.
    var holder: WorkerID? {
        switch phase {
        case .offered(let worker, _), .running(let worker): return worker
        case .waiting, .ended: return nil
        }
    }

    mutating func stamp(status: Livekit_JobStatus, now: Double) {
        job.state.status = status
        job.state.updatedAt = agentTimestampNanos(now)
    }
}
