import XCTest

@testable import Signal

final class AgentDispatcherTests: XCTestCase {
    // MARK: helpers

    private func room(_ name: String) -> Livekit_Room {
        var room = Livekit_Room()
        room.name = name
        room.sid = "RM_" + name
        return room
    }

    private func dispatch(
        _ d: inout AgentDispatcher, agent: String = "", room name: String = "r1", dispatchID: String = "AD_1",
        metadata: String = "", type: Livekit_JobType = .jtRoom, now: Double
    ) -> [AgentDispatcherAction] {
        d.dispatch(
            agentName: agent, room: room(name), dispatchID: dispatchID, metadata: metadata, type: type,
            participant: nil, now: now)
    }

    private func response(_ jobID: String, available: Bool, identity: String = "", name: String = "") -> Livekit_AvailabilityResponse {
        var r = Livekit_AvailabilityResponse()
        r.jobID = jobID
        r.available = available
        r.participantIdentity = identity
        r.participantName = name
        r.participantAttributes = ["lk.agent.name": "x"]
        return r
    }

    private func status(_ jobID: String, _ s: Livekit_JobStatus, error: String = "") -> Livekit_UpdateJobStatus {
        var u = Livekit_UpdateJobStatus()
        u.jobID = jobID
        u.status = s
        u.error = error
        return u
    }

    /// The single offer in `actions`, or a test failure.
    private func singleOffer(_ actions: [AgentDispatcherAction], file: StaticString = #filePath, line: UInt = #line)
        -> (worker: WorkerID, job: Livekit_Job)?
    {
        guard actions.count == 1, case .offer(let worker, let job) = actions[0] else {
            XCTFail("expected one offer, got \(actions)", file: file, line: line)
            return nil
        }
        return (worker, job)
    }

    // MARK: tests

    func testHappyPathOfferAssignRunSucceed() throws {
        var d = AgentDispatcher()
        let w = d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 0)
        XCTAssertTrue(w.rawValue.hasPrefix("AW_"))
        let offer = try XCTUnwrap(singleOffer(dispatch(&d, agent: "bot", metadata: #"{"simulation_service":"echo"}"#, now: 1)))
        XCTAssertEqual(offer.worker, w)
        let job = offer.job
        XCTAssertTrue(job.id.hasPrefix("AJ_"))
        XCTAssertEqual(job.dispatchID, "AD_1")
        XCTAssertEqual(job.agentName, "bot")
        XCTAssertEqual(job.room.name, "r1")
        XCTAssertEqual(job.metadata, #"{"simulation_service":"echo"}"#)
        XCTAssertEqual(job.type, .jtRoom)
        XCTAssertFalse(job.hasParticipant)
        XCTAssertEqual(job.state.status, .jsPending)

        let assigned = d.availabilityResponse(from: w, response(job.id, available: true, name: "Echo"), now: 2)
        guard assigned.count == 1,
            case .assign(let aw, let aj, let identity, let name, _, let attributes) = assigned[0]
        else { return XCTFail("expected assign, got \(assigned)") }
        XCTAssertEqual(aw, w)
        XCTAssertEqual(aj.id, job.id)
        XCTAssertEqual(identity, "agent-" + job.id)  // PROTOCOL.md §10 default
        XCTAssertEqual(name, "Echo")
        XCTAssertEqual(attributes["lk.agent.name"], "x")
        XCTAssertEqual(aj.state.workerID, w.rawValue)
        XCTAssertEqual(aj.state.participantIdentity, "agent-" + job.id)
        XCTAssertEqual(aj.state.startedAt, 2_000_000_000)

        XCTAssertEqual(d.workers().first?.jobCount, 1)
        XCTAssertEqual(d.jobStatus(from: w, status(job.id, .jsRunning), now: 3), [])
        let ended = d.jobStatus(from: w, status(job.id, .jsSuccess), now: 10)
        guard ended.count == 1, case .jobEnded(let ej, .jsSuccess) = ended[0] else {
            return XCTFail("expected jobEnded success, got \(ended)")
        }
        XCTAssertEqual(ej.state.status, .jsSuccess)
        XCTAssertEqual(ej.state.endedAt, 10_000_000_000)
        let listed = d.jobs(room: "r1")
        XCTAssertEqual(listed.count, 1)
        XCTAssertEqual(listed.first?.state.status, .jsSuccess)
        XCTAssertEqual(d.workers().first?.jobCount, 0)
        // Nothing more happens on later ticks, and the ended job is eventually forgotten.
        XCTAssertEqual(d.tick(now: 100), [])
        XCTAssertEqual(d.tick(now: 400), [])
        XCTAssertEqual(d.jobs(room: "r1").count, 0)
    }

    func testWorkerGivenIdentityIsUsed() throws {
        var d = AgentDispatcher()
        let w = d.registerWorker(agentName: "", jobType: .jtRoom, now: 0)
        let offer = try XCTUnwrap(singleOffer(dispatch(&d, now: 0)))
        let a = d.availabilityResponse(from: w, response(offer.job.id, available: true, identity: "my-agent"), now: 0)
        guard case .assign(_, _, "my-agent", _, _, _)? = a.first else { return XCTFail("\(a)") }
    }

    func testLoadIsSpreadOverTwoWorkers() throws {
        var d = AgentDispatcher()
        let a = d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 0)
        let b = d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 0)
        // Equal reported load: the job count held here breaks the tie.
        let o1 = try XCTUnwrap(singleOffer(dispatch(&d, agent: "bot", room: "r1", now: 1)))
        let o2 = try XCTUnwrap(singleOffer(dispatch(&d, agent: "bot", room: "r2", now: 1)))
        XCTAssertNotEqual(o1.worker, o2.worker)
        XCTAssertEqual(Set([o1.worker, o2.worker]), [a, b])
        // Reported load wins: a is busier, so the next two go to b.
        d.updateWorker(a, status: .wsAvailable, load: 0.8, now: 2)
        d.updateWorker(b, status: .wsAvailable, load: 0.1, now: 2)
        XCTAssertEqual(try XCTUnwrap(singleOffer(dispatch(&d, agent: "bot", room: "r3", now: 3))).worker, b)
        // A full worker is never chosen, even if its load is low.
        d.updateWorker(b, status: .wsFull, load: 0.0, now: 4)
        XCTAssertEqual(try XCTUnwrap(singleOffer(dispatch(&d, agent: "bot", room: "r4", now: 4))).worker, a)
        // load >= 1 counts as full.
        d.updateWorker(a, status: .wsAvailable, load: 1.0, now: 5)
        XCTAssertEqual(dispatch(&d, agent: "bot", room: "r5", now: 5), [])
        let listed = d.workers()
        XCTAssertEqual(listed.map(\.id), [a, b])
        XCTAssertEqual(listed[1].status, .wsFull)
    }

    func testRefusalOffersToNextWorker() throws {
        var d = AgentDispatcher()
        let a = d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 0)
        let b = d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 0)
        let first = try XCTUnwrap(singleOffer(dispatch(&d, agent: "bot", now: 0)))
        XCTAssertEqual(first.worker, a)  // registration order breaks a full tie
        let next = try XCTUnwrap(singleOffer(d.availabilityResponse(from: a, response(first.job.id, available: false), now: 1)))
        XCTAssertEqual(next.worker, b)
        XCTAssertEqual(next.job.id, first.job.id)
        // A late "yes" from the refusing worker is ignored.
        XCTAssertEqual(d.availabilityResponse(from: a, response(first.job.id, available: true), now: 1.5), [])
        // b refuses too: nobody left, the job waits and fails after maxWait.
        XCTAssertEqual(d.availabilityResponse(from: b, response(first.job.id, available: false), now: 2), [])
        XCTAssertEqual(d.tick(now: 20), [])
        let failed = d.tick(now: 32)
        guard failed.count == 1, case .jobFailed(let job, let reason) = failed[0] else { return XCTFail("\(failed)") }
        XCTAssertEqual(job.state.status, .jsFailed)
        XCTAssertTrue(reason.contains("refused"), reason)
    }

    func testTimeoutCountsAsRefusal() throws {
        var d = AgentDispatcher()
        let a = d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 0)
        let b = d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 0)
        let first = try XCTUnwrap(singleOffer(dispatch(&d, agent: "bot", now: 0)))
        XCTAssertEqual(first.worker, a)
        XCTAssertEqual(d.tick(now: 7.4), [])
        let next = try XCTUnwrap(singleOffer(d.tick(now: 7.5)))
        XCTAssertEqual(next.worker, b)
        // The timed-out worker's late answer does nothing; b's answer assigns.
        XCTAssertEqual(d.availabilityResponse(from: a, response(first.job.id, available: true), now: 8), [])
        let assigned = d.availabilityResponse(from: b, response(first.job.id, available: true), now: 9)
        guard case .assign(b, _, _, _, _, _)? = assigned.first else { return XCTFail("\(assigned)") }
    }

    func testMaxAttemptsFailsTheJob() throws {
        var d = AgentDispatcher(availabilityTimeout: 1, maxAttempts: 2)
        let workers = (0..<3).map { _ in d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 0) }
        let o1 = try XCTUnwrap(singleOffer(dispatch(&d, agent: "bot", now: 0)))
        let o2 = try XCTUnwrap(singleOffer(d.availabilityResponse(from: o1.worker, response(o1.job.id, available: false), now: 0)))
        let out = d.availabilityResponse(from: o2.worker, response(o1.job.id, available: false), now: 0)
        guard out.count == 1, case .jobFailed(_, let reason) = out[0] else { return XCTFail("\(out)") }
        XCTAssertTrue(reason.contains("2 attempts"), reason)
        XCTAssertEqual(Set(workers).count, 3)
    }

    func testNoWorkerWaitsThenOfferedWhenOneRegisters() throws {
        var d = AgentDispatcher()
        XCTAssertEqual(dispatch(&d, agent: "bot", metadata: "m", now: 0), [])
        XCTAssertEqual(d.jobs(room: "r1").first?.state.status, .jsPending)
        XCTAssertEqual(d.tick(now: 5), [])
        let w = d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 10)
        let offer = try XCTUnwrap(singleOffer(d.tick(now: 10.5)))
        XCTAssertEqual(offer.worker, w)
        XCTAssertEqual(offer.job.metadata, "m")
        // Waiting also resumes when a full worker becomes available.
        XCTAssertEqual(dispatch(&d, agent: "other", room: "r2", now: 11), [])
        let o = d.registerWorker(agentName: "other", jobType: .jtRoom, now: 11)
        d.updateWorker(o, status: .wsFull, load: 1, now: 11)
        XCTAssertEqual(d.tick(now: 12), [])
        d.updateWorker(o, status: .wsAvailable, load: 0.2, now: 13)
        XCTAssertEqual(try XCTUnwrap(singleOffer(d.tick(now: 13))).worker, o)
    }

    func testWaitingJobsGoToAnotherNodeOnlyWhenNoWorkerHereTakesThem() {
        var d = AgentDispatcher()
        XCTAssertEqual(dispatch(&d, agent: "far", room: "r1", dispatchID: "AD_far", metadata: "m", now: 0), [])
        XCTAssertEqual(dispatch(&d, agent: "near", room: "r2", dispatchID: "AD_near", now: 0), [])
        XCTAssertEqual(dispatch(&d, agent: "nowhere", room: "r3", dispatchID: "AD_none", now: 0), [])
        _ = d.registerWorker(agentName: "near", jobType: .jtRoom, now: 1)  // offered on the next tick, stays here
        let released = d.releaseWaitingJobs { name, type in type == .jtRoom && (name == "far" || name == "near") }
        XCTAssertEqual(released.map(\.dispatchID), ["AD_far"])
        XCTAssertEqual(released.first?.metadata, "m")
        XCTAssertEqual(released.first?.room.name, "r1")
        XCTAssertTrue(d.jobs(room: "r1").isEmpty)
        XCTAssertEqual(d.jobs(room: "r2").count, 1)
        XCTAssertEqual(d.jobs(room: "r3").count, 1)
        XCTAssertEqual(d.releaseWaitingJobs { _, _ in true }.map(\.dispatchID), ["AD_none"])
    }

    func testWaitingTooLongFails() {
        var d = AgentDispatcher()
        d.maxWait = 30
        XCTAssertEqual(dispatch(&d, agent: "bot", now: 100), [])
        XCTAssertEqual(d.tick(now: 129.9), [])
        let out = d.tick(now: 130)
        guard out.count == 1, case .jobFailed(let job, let reason) = out[0] else { return XCTFail("\(out)") }
        XCTAssertEqual(job.state.status, .jsFailed)
        XCTAssertEqual(job.state.error, reason)
        XCTAssertTrue(reason.contains("'bot'"), reason)
        XCTAssertEqual(d.tick(now: 200), [])  // reported once
        // A worker registering later does not resurrect the failed job.
        _ = d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 201)
        XCTAssertEqual(d.tick(now: 202), [])
    }

    func testNonFiniteTimeDoesNotFreezeTimers() {
        var d = AgentDispatcher()
        XCTAssertEqual(d.tick(now: 50), [])
        XCTAssertEqual(dispatch(&d, agent: "bot", now: .nan), [])  // taken as the last known time, 50
        XCTAssertEqual(d.tick(now: .infinity), [])
        guard case .jobFailed? = d.tick(now: 80).first else { return XCTFail("job should fail after maxWait") }
    }

    func testWorkerVanishesMidJobIsReofferedWithSameJobID() throws {
        var d = AgentDispatcher()
        let a = d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 0)
        let b = d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 0)
        d.updateWorker(b, status: .wsAvailable, load: 0.5, now: 0)
        let offer = try XCTUnwrap(singleOffer(dispatch(&d, agent: "bot", metadata: "meta", now: 0)))
        XCTAssertEqual(offer.worker, a)
        _ = d.availabilityResponse(from: a, response(offer.job.id, available: true), now: 1)
        let again = try XCTUnwrap(singleOffer(d.removeWorker(a, now: 5)))
        XCTAssertEqual(again.worker, b)
        XCTAssertEqual(again.job.id, offer.job.id)
        XCTAssertEqual(again.job.metadata, "meta")
        XCTAssertEqual(again.job.state.status, .jsPending)
        XCTAssertEqual(again.job.state.workerID, "")
        let assigned = d.availabilityResponse(from: b, response(offer.job.id, available: true), now: 6)
        guard case .assign(b, let job, _, _, _, _)? = assigned.first else { return XCTFail("\(assigned)") }
        XCTAssertEqual(job.state.workerID, b.rawValue)
        // Status from the vanished worker is ignored.
        XCTAssertEqual(d.jobStatus(from: a, status(offer.job.id, .jsSuccess), now: 7), [])
        XCTAssertEqual(d.workers().map(\.id), [b])
    }

    func testWorkerVanishesMidJobWithNoOtherWorkerFails() throws {
        var d = AgentDispatcher()
        let a = d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 0)
        let offer = try XCTUnwrap(singleOffer(dispatch(&d, agent: "bot", now: 0)))
        _ = d.availabilityResponse(from: a, response(offer.job.id, available: true), now: 1)
        let out = d.removeWorker(a, now: 5)
        guard out.count == 1, case .jobFailed(let job, _) = out[0] else { return XCTFail("\(out)") }
        XCTAssertEqual(job.id, offer.job.id)
        XCTAssertEqual(d.jobs(room: "r1").first?.state.status, .jsFailed)
        XCTAssertEqual(d.removeWorker(a, now: 6), [])  // unknown worker: nothing
    }

    func testWorkerVanishesWithPendingOfferRetriesElsewhereOrWaits() throws {
        var d = AgentDispatcher()
        let a = d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 0)
        let offer = try XCTUnwrap(singleOffer(dispatch(&d, agent: "bot", now: 0)))
        XCTAssertEqual(d.removeWorker(a, now: 1), [])  // the job never started: it waits
        let b = d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 2)
        let next = try XCTUnwrap(singleOffer(d.tick(now: 3)))
        XCTAssertEqual(next.worker, b)
        XCTAssertEqual(next.job.id, offer.job.id)
    }

    func testWorkerReportedFailureEndsJob() throws {
        var d = AgentDispatcher()
        let w = d.registerWorker(agentName: "", jobType: .jtRoom, now: 0)
        let offer = try XCTUnwrap(singleOffer(dispatch(&d, now: 0)))
        _ = d.availabilityResponse(from: w, response(offer.job.id, available: true), now: 0)
        let out = d.jobStatus(from: w, status(offer.job.id, .jsFailed, error: "boom"), now: 1)
        guard case .jobEnded(let job, .jsFailed)? = out.first else { return XCTFail("\(out)") }
        XCTAssertEqual(job.state.error, "boom")
        // An ended job is not re-offered when its worker goes away.
        XCTAssertEqual(d.removeWorker(w, now: 2), [])
    }

    func testCancelTerminatesRunningJobs() throws {
        var d = AgentDispatcher()
        let w = d.registerWorker(agentName: "bot", jobType: .jtRoom, now: 0)
        let o1 = try XCTUnwrap(singleOffer(dispatch(&d, agent: "bot", room: "r1", dispatchID: "AD_a", now: 0)))
        _ = d.availabilityResponse(from: w, response(o1.job.id, available: true), now: 1)
        let o2 = try XCTUnwrap(singleOffer(dispatch(&d, agent: "bot", room: "r1", dispatchID: "AD_b", now: 1)))

        // Neither filter: nothing happens.
        XCTAssertEqual(d.cancel(dispatchID: nil, room: nil, now: 2), [])

        // DeleteDispatch of AD_a: its running job is terminated and reported cancelled.
        let out = d.cancel(dispatchID: "AD_a", room: nil, now: 2)
        XCTAssertEqual(out.count, 2)
        XCTAssertEqual(out.first, .terminate(worker: w, jobID: o1.job.id))
        guard case .jobEnded(let job, .jsCancelled)? = out.last else { return XCTFail("\(out)") }
        XCTAssertEqual(job.state.reason, .jsrDispatchDeleted)
        XCTAssertEqual(d.jobs(room: "r1").count, 2)

        // Room closed: the offered job is cancelled (no terminate: it never started), and the
        // room's jobs are forgotten. A late acceptance is ignored.
        let closed = d.cancel(dispatchID: nil, room: "r1", now: 3)
        XCTAssertEqual(closed.count, 1)
        guard case .jobEnded(let j2, .jsCancelled)? = closed.first else { return XCTFail("\(closed)") }
        XCTAssertEqual(j2.id, o2.job.id)
        XCTAssertEqual(j2.state.reason, .jsrRoomClosed)
        XCTAssertEqual(d.jobs(room: "r1"), [])
        XCTAssertEqual(d.availabilityResponse(from: w, response(o2.job.id, available: true), now: 4), [])
        XCTAssertEqual(d.tick(now: 100), [])
    }

    func testAgentNamesAndJobTypesIsolateWorkers() throws {
        var d = AgentDispatcher()
        let echo = d.registerWorker(agentName: "echo", jobType: .jtRoom, now: 0)
        let tone = d.registerWorker(agentName: "tone", jobType: .jtRoom, now: 0)
        let implicitRoom = d.registerWorker(agentName: "", jobType: .jtRoom, now: 0)
        let implicitParticipant = d.registerWorker(agentName: "", jobType: .jtParticipant, now: 0)
        d.updateWorker(echo, status: .wsAvailable, load: 0.9, now: 0)

        for _ in 0..<3 {
            XCTAssertEqual(try XCTUnwrap(singleOffer(dispatch(&d, agent: "echo", now: 1))).worker, echo)
            XCTAssertEqual(try XCTUnwrap(singleOffer(dispatch(&d, agent: "tone", now: 1))).worker, tone)
            XCTAssertEqual(try XCTUnwrap(singleOffer(dispatch(&d, agent: "", now: 1))).worker, implicitRoom)
        }
        var caller = Livekit_ParticipantInfo()
        caller.identity = "caller"
        let p = d.dispatch(agentName: "", room: room("r1"), dispatchID: "", metadata: "", type: .jtParticipant, participant: caller, now: 1)
        let offer = try XCTUnwrap(singleOffer(p))
        XCTAssertEqual(offer.worker, implicitParticipant)
        XCTAssertEqual(offer.job.participant.identity, "caller")
        XCTAssertEqual(dispatch(&d, agent: "nobody", now: 1), [])
        XCTAssertEqual(dispatch(&d, agent: "echo", type: .jtPublisher, now: 1), [])
        XCTAssertTrue(d.hasWorkers(agentName: "", type: .jtParticipant))
        XCTAssertFalse(d.hasWorkers(agentName: "", type: .jtPublisher))
        // A worker cannot answer or report for another worker's job.
        let tonesJob = try XCTUnwrap(singleOffer(dispatch(&d, agent: "tone", now: 2))).job
        XCTAssertEqual(d.availabilityResponse(from: echo, response(tonesJob.id, available: true), now: 2), [])
        XCTAssertEqual(d.jobStatus(from: echo, status(tonesJob.id, .jsSuccess), now: 2), [])
    }

    func testJobIDsAreUnique() {
        var d = AgentDispatcher()
        var ids = Set<String>()
        for i in 0..<500 {
            _ = dispatch(&d, room: "r\(i % 7)", now: 0)
        }
        for i in 0..<7 { ids.formUnion(d.jobs(room: "r\(i)").map(\.id)) }
        XCTAssertEqual(ids.count, 500)
        XCTAssertTrue(ids.allSatisfy { $0.hasPrefix("AJ_") && $0.count == 15 })
    }

    /// Random sequences of events (including bogus ids, NaN times and loads) never trap, offers
    /// and assignments only go to registered workers, and running jobs are held by live workers.
    func testRandomEventSequencesKeepInvariants() {
        var rng = SplitMix64(seed: 0x5EED)
        for _ in 0..<40 {
            var d = AgentDispatcher(availabilityTimeout: 2, maxAttempts: Int(rng.next() % 4))
            d.maxWait = 5
            var workers: [WorkerID] = [WorkerID(rawValue: "AW_bogus")]
            var jobIDs: [String] = ["AJ_bogus", ""]
            var now = 0.0
            let names = ["", "a", "b"]
            for _ in 0..<300 {
                now += Double(rng.next() % 1000) / 500
                var actions: [AgentDispatcherAction] = []
                switch rng.next() % 8 {
                case 0:
                    let name = names[Int(rng.next() % 3)]
                    workers.append(d.registerWorker(agentName: name, jobType: .jtRoom, now: now))
                case 1:
                    let w = workers[Int(rng.next() % UInt64(workers.count))]
                    let loads: [Float] = [0, 0.5, 1, .nan, -.infinity, 3]
                    d.updateWorker(w, status: rng.next() % 3 == 0 ? .wsFull : .wsAvailable, load: loads[Int(rng.next() % 6)], now: now)
                case 2:
                    actions = d.removeWorker(workers[Int(rng.next() % UInt64(workers.count))], now: now)
                case 3:
                    actions = d.dispatch(
                        agentName: names[Int(rng.next() % 3)], room: room("r\(rng.next() % 3)"), dispatchID: "AD_\(rng.next() % 4)",
                        metadata: "", type: .jtRoom, participant: nil, now: rng.next() % 50 == 0 ? .nan : now)
                case 4:
                    var r = Livekit_AvailabilityResponse()
                    r.jobID = jobIDs[Int(rng.next() % UInt64(jobIDs.count))]
                    r.available = rng.next() % 2 == 0
                    actions = d.availabilityResponse(from: workers[Int(rng.next() % UInt64(workers.count))], r, now: now)
                case 5:
                    var u = Livekit_UpdateJobStatus()
                    u.jobID = jobIDs[Int(rng.next() % UInt64(jobIDs.count))]
                    u.status = Livekit_JobStatus(rawValue: Int(rng.next() % 6)) ?? .jsPending
                    actions = d.jobStatus(from: workers[Int(rng.next() % UInt64(workers.count))], u, now: now)
                case 6:
                    actions = d.cancel(
                        dispatchID: rng.next() % 2 == 0 ? "AD_\(rng.next() % 4)" : nil,
                        room: rng.next() % 2 == 0 ? "r\(rng.next() % 3)" : nil, now: now)
                default:
                    actions = d.tick(now: now)
                }
                let live = Set(d.workers().map(\.id))
                for action in actions {
                    switch action {
                    case .offer(let w, let job):
                        XCTAssertTrue(live.contains(w))
                        jobIDs.append(job.id)
                    case .assign(let w, _, let identity, _, _, _):
                        XCTAssertTrue(live.contains(w))
                        XCTAssertFalse(identity.isEmpty)
                    case .terminate, .jobFailed, .jobEnded:
                        break
                    }
                }
                // Running jobs belong to registered workers; the counts agree with the job list.
                let all = (0..<3).flatMap { d.jobs(room: "r\($0)") }
                let running = all.filter { $0.state.status == .jsRunning }
                XCTAssertTrue(running.allSatisfy { live.contains(WorkerID(rawValue: $0.state.workerID)) })
                XCTAssertEqual(d.workers().reduce(0) { $0 + $1.jobCount }, running.count)
                XCTAssertEqual(Set(all.map(\.id)).count, all.count)
            }
        }
    }
}

/// Deterministic PRNG for the fuzz-style test (SplitMix64).
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
