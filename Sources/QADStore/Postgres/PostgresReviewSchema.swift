/// SQLiteStore's "v4: reviewers and labels" in PostgreSQL's types: the same
/// tables, indexes and queue index, and the same refusal to rewrite history,
/// here by plpgsql triggers (TRUNCATE too, which has no SQLite counterpart but
/// would otherwise bypass the row triggers).
enum PostgresReviewSchema {
    static let migration = PostgresMigrations.Migration(name: "v4: reviewers and labels", statements: [
        """
        CREATE TABLE reviewer (
            id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, token_hash TEXT NOT NULL UNIQUE,
            is_local BOOLEAN NOT NULL, created_at DOUBLE PRECISION NOT NULL)
        """,
        """
        CREATE TABLE label_event (
            id BIGSERIAL PRIMARY KEY, reviewer_id BIGINT NOT NULL REFERENCES reviewer (id), targetid BIGINT NOT NULL,
            class TEXT NOT NULL, subtype TEXT NOT NULL, confidence BIGINT NOT NULL, notes TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL, client_event_id TEXT,
            UNIQUE (reviewer_id, client_event_id))
        """,
        "CREATE INDEX label_event_by_reviewer ON label_event (reviewer_id, targetid, id)",
        "CREATE INDEX label_event_by_target ON label_event (targetid, reviewer_id, id)",
        """
        CREATE FUNCTION label_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'label_event is append-only' USING ERRCODE = 'restrict_violation';
        END
        $$
        """,
        """
        CREATE TRIGGER label_event_no_update BEFORE UPDATE ON label_event
            FOR EACH ROW EXECUTE FUNCTION label_event_append_only()
        """,
        """
        CREATE TRIGGER label_event_no_delete BEFORE DELETE ON label_event
            FOR EACH ROW EXECUTE FUNCTION label_event_append_only()
        """,
        """
        CREATE TRIGGER label_event_no_truncate BEFORE TRUNCATE ON label_event
            FOR EACH STATEMENT EXECUTE FUNCTION label_event_append_only()
        """,
        // The queue reads candidates by descending score with TARGETID as tie-break.
        "CREATE INDEX score_queue_order ON score (model, score DESC, targetid)",
    ])
}
