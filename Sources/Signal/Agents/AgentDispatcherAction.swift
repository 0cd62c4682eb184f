/// The id the server gives an agent worker when it registers on `/agent`
/// (`RegisterWorkerResponse.worker_id`, "AW_…"; PROTOCOL.md §10 step 1).
public struct WorkerID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }
}

/// What the shell around `AgentDispatcher` must do. The dispatcher does no I/O:
/// every message to a worker and every report about a job is one of these.
public enum AgentDispatcherAction: Sendable, Equatable {
    /// Send `ServerMessage.availability(AvailabilityRequest{job})` to that worker (PROTOCOL.md §10 step 3).
    case offer(worker: WorkerID, job: Livekit_Job)
    /// The worker accepted: mint the job's room token (kind=agent, roomJoin + agent grant,
    /// identity/name/metadata/attributes below) and send `JobAssignment{job, token}` (§10 step 5).
    case assign(
        worker: WorkerID, job: Livekit_Job, participantIdentity: String, participantName: String,
        participantMetadata: String, participantAttributes: [String: String])
    /// Send `ServerMessage.termination(JobTermination{job_id})` to that worker (§10 step 6).
    case terminate(worker: WorkerID, jobID: String)
    /// No worker could take the job, or its worker vanished and no other took it.
    /// Terminal: log it and report it (the job's `state` carries status JS_FAILED and the error).
    case jobFailed(job: Livekit_Job, reason: String)
    /// The job reached a terminal status: JS_SUCCESS / JS_FAILED reported by its worker,
    /// or JS_CANCELLED by `cancel(dispatchID:room:)`.
    case jobEnded(job: Livekit_Job, status: Livekit_JobStatus)
}
