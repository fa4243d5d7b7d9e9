import Foundation
import PostgresNIO
import QADCore

extension PostgresStore: WorkQueueStore {
    public func enqueue(_ paths: [String], stage: WorkStage, requeue: Bool) throws -> Int {
        let logger = self.logger
        return try pool.transaction { c in
            var added = 0
            for path in paths {
                let query: PostgresQuery = requeue ? """
                    INSERT INTO work_queue (stage, path) VALUES (\(stage.rawValue), \(path))
                    ON CONFLICT (stage, path) DO UPDATE SET state = 'pending', owner = NULL, attempts = 0,
                        claimed_at = NULL, heartbeat_at = NULL, finished_at = NULL, message = NULL
                    RETURNING id
                    """ : """
                    INSERT INTO work_queue (stage, path) VALUES (\(stage.rawValue), \(path))
                    ON CONFLICT (stage, path) DO NOTHING RETURNING id
                    """
                let rows = try await c.query(query, logger: logger).collect()
                added += rows.count
            }
            return added
        }
    }

    public func claim(stage: WorkStage, owner: String, leaseSeconds: Double, maxAttempts: Int) throws -> WorkItem? {
        let logger = self.logger
        return try pool.transaction { c in
            // A claim whose worker died as often as allowed is given up, not retried forever.
            try await c.query("""
                UPDATE work_queue SET state = 'failed', finished_at = now(),
                    message = 'its worker stopped heartbeating ' || attempts || ' times; given up'
                WHERE stage = \(stage.rawValue) AND state = 'claimed' AND attempts >= \(maxAttempts)
                  AND heartbeat_at < now() - make_interval(secs => \(leaseSeconds))
                """, logger: logger)
            // SKIP LOCKED: concurrent claimers each take a different row without waiting.
            let rows = try await c.query("""
                UPDATE work_queue SET state = 'claimed', owner = \(owner), attempts = attempts + 1,
                    claimed_at = now(), heartbeat_at = now()
                WHERE id = (
                    SELECT id FROM work_queue
                    WHERE stage = \(stage.rawValue) AND (state = 'pending' OR (state = 'claimed'
                          AND heartbeat_at < now() - make_interval(secs => \(leaseSeconds))))
                    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING id, path, attempts
                """, logger: logger).collect()
            guard let row = rows.first else { return nil }
            let (id, path, attempt) = try row.decode((Int64, String, Int).self)
            return WorkItem(id: id, stage: stage, path: path, attempt: attempt)
        }
    }

    public func heartbeat(_ item: WorkItem, owner: String) throws -> Bool {
        !(try rows("""
            UPDATE work_queue SET heartbeat_at = now()
            WHERE id = \(item.id) AND owner = \(owner) AND attempts = \(item.attempt) AND state = 'claimed'
            RETURNING id
            """)).isEmpty
    }

    public func completeIngest(_ item: WorkItem, owner: String, commit: FileCommit, columns: Int) throws -> [TargetID] {
        let logger = self.logger
        let shard = item.shard
        let recordedShard: String? = commit.epochs.isEmpty ? nil : shard
        return try pool.transaction { c in
            // The claim row is locked first: a worker taking over after this
            // point waits, and one that took over before makes this check fail.
            let mine = try await c.query("""
                SELECT id FROM work_queue
                WHERE id = \(item.id) AND owner = \(owner) AND attempts = \(item.attempt) AND state = 'claimed'
                FOR UPDATE
                """, logger: logger).collect()
            guard !mine.isEmpty else { throw LostClaim(item: item) }

            let path = commit.file.path
            try await Self.deleteFile(path, on: c, logger: logger)
            // Every spectrum is an epoch; one whose TARGETID and visit are
            // stored already is a duplicate. A new epoch of an object the store
            // holds adds no spectrum row: linking picks the object's primary.
            try await c.query("CREATE TEMP TABLE IF NOT EXISTS epoch_stage (LIKE epoch) ON COMMIT DELETE ROWS",
                              logger: logger)
            try await c.copy(commit.epochs, into: "epoch_stage", logger: logger)
            var inserted = Set<EpochKey>()
            for row in try await c.query("""
                INSERT INTO epoch SELECT * FROM epoch_stage ON CONFLICT (targetid, visit) DO NOTHING
                RETURNING targetid, visit
                """, logger: logger).collect() {
                let (id, visit) = try row.decode((Int64, String).self)
                inserted.insert(EpochKey(targetid: id, visit: visit))
            }
            let duplicates = commit.epochs.filter { !inserted.contains($0.key) }
            let newIDs = Set(inserted.map(\.targetid))
            try await c.query("CREATE TEMP TABLE IF NOT EXISTS spectrum_stage (LIKE spectrum) ON COMMIT DELETE ROWS",
                              logger: logger)
            try await c.copy(commit.spectra.filter { newIDs.contains($0.targetid) }, into: "spectrum_stage", logger: logger)
            try await c.query("INSERT INTO spectrum SELECT * FROM spectrum_stage ON CONFLICT (targetid) DO NOTHING",
                              logger: logger)
            var problems = commit.problems
            for e in duplicates {
                let d = e.spectrum
                let first = try await c.query("""
                    SELECT source_file FROM epoch WHERE targetid = \(d.targetid) AND visit = \(e.visit)
                    """, logger: logger).collect().first?.decode(String.self) ?? "another file"
                problems.append(ProblemRecord(InputProblem(
                    file: d.sourceFile, hdu: d.sourceHdu, column: "TARGETID", row: d.sourceRow,
                    message: "duplicate TARGETID \(d.targetid) (\(e.visit)), already stored from \(first); skipped"),
                    severity: .skipped))
            }
            try await c.copy(problems, into: "input_problem", logger: logger)
            var file = commit.file
            file.nSpectra -= duplicates.count
            file.nSkipped += duplicates.count
            try await Self.saveFile(file, on: c, logger: logger)
            if !commit.epochs.isEmpty {
                try await Self.saveShard(shard, rows: commit.epochs.count, columns: columns, on: c, logger: logger)
            }
            try await c.query("""
                UPDATE work_queue SET state = 'done', finished_at = now(), shard = \(recordedShard),
                    n_spectra = \(file.nSpectra), message = NULL
                WHERE id = \(item.id)
                """, logger: logger)
            return duplicates.map(\.spectrum.targetid)
        }
    }

    public func fail(_ item: WorkItem, owner: String, message: String) throws {
        try execute("""
            UPDATE work_queue SET state = 'failed', finished_at = now(), message = \(message)
            WHERE id = \(item.id) AND owner = \(owner) AND attempts = \(item.attempt) AND state = 'claimed'
            """)
    }

    public func queueCounts(stage: WorkStage) throws -> WorkQueueCounts {
        var counts = WorkQueueCounts()
        for row in try rows("SELECT state, count(*) FROM work_queue WHERE stage = \(stage.rawValue) GROUP BY state") {
            let (state, n) = try row.decode((String, Int).self)
            switch state {
            case "pending": counts.pending = n
            case "claimed": counts.claimed = n
            case "done": counts.done = n
            case "failed": counts.failed = n
            default: throw LocatedError("work_queue: unknown state '\(state)'")
            }
        }
        return counts
    }
}
