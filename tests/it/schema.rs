//! The same tables and columns on both engines. The migrations are written once in
//! the SQL both accept; where DDL must one day differ, this test keeps the two in step.

use std::collections::BTreeSet;

use minyi::db::Db;

use crate::support::engines;

/// Every table and column the migrations make, as `table.column`, sorted.
const EXPECTED_SCHEMA: &[&str] = &[
    "accounts.active",
    "accounts.department_id",
    "accounts.display_name",
    "accounts.id",
    "accounts.region_id",
    "accounts.representative_id",
    "accounts.role",
    "accounts.scope_code",
    "accounts.scope_name",
    "accounts.scope_path",
    "accounts.unit_id",
    "accounts.username",
    "admin_log.action",
    "admin_log.actor_name",
    "admin_log.actor_user_id",
    "admin_log.at",
    "admin_log.detail",
    "admin_log.id",
    "admin_log.region_path",
    "admin_log.resource",
    "admin_log.target_id",
    "admin_log.target_label",
    "agg_cases.ack_on_time",
    "agg_cases.acknowledged",
    "agg_cases.answered",
    "agg_cases.answered_direct",
    "agg_cases.answered_on_time",
    "agg_cases.bucket",
    "agg_cases.citizen_basic",
    "agg_cases.citizen_satisfied",
    "agg_cases.citizen_unsatisfied",
    "agg_cases.closed",
    "agg_cases.dim",
    "agg_cases.disagree",
    "agg_cases.extensions",
    "agg_cases.forwarded",
    "agg_cases.grain",
    "agg_cases.key",
    "agg_cases.merged",
    "agg_cases.rated_both",
    "agg_cases.received",
    "agg_cases.region_path",
    "agg_cases.reopened",
    "agg_cases.rep_basic",
    "agg_cases.rep_satisfied",
    "agg_cases.rep_unsatisfied",
    "agg_cases.returns",
    "agg_cases.reworks",
    "agg_cases.solved",
    "agg_cases.withdrawn",
    "agg_cases_next.ack_on_time",
    "agg_cases_next.acknowledged",
    "agg_cases_next.answered",
    "agg_cases_next.answered_direct",
    "agg_cases_next.answered_on_time",
    "agg_cases_next.bucket",
    "agg_cases_next.citizen_basic",
    "agg_cases_next.citizen_satisfied",
    "agg_cases_next.citizen_unsatisfied",
    "agg_cases_next.closed",
    "agg_cases_next.dim",
    "agg_cases_next.disagree",
    "agg_cases_next.extensions",
    "agg_cases_next.forwarded",
    "agg_cases_next.grain",
    "agg_cases_next.key",
    "agg_cases_next.merged",
    "agg_cases_next.rated_both",
    "agg_cases_next.received",
    "agg_cases_next.region_path",
    "agg_cases_next.reopened",
    "agg_cases_next.rep_basic",
    "agg_cases_next.rep_satisfied",
    "agg_cases_next.rep_unsatisfied",
    "agg_cases_next.returns",
    "agg_cases_next.reworks",
    "agg_cases_next.solved",
    "agg_cases_next.withdrawn",
    "agg_departments.assigned",
    "agg_departments.bucket",
    "agg_departments.completed",
    "agg_departments.department_id",
    "agg_departments.ext_granted",
    "agg_departments.ext_requested",
    "agg_departments.grain",
    "agg_departments.rated_basic",
    "agg_departments.rated_satisfied",
    "agg_departments.rated_unsatisfied",
    "agg_departments.region_path",
    "agg_departments.returned",
    "agg_departments.reworked",
    "agg_departments.submitted",
    "agg_departments.submitted_on_time",
    "agg_departments_next.assigned",
    "agg_departments_next.bucket",
    "agg_departments_next.completed",
    "agg_departments_next.department_id",
    "agg_departments_next.ext_granted",
    "agg_departments_next.ext_requested",
    "agg_departments_next.grain",
    "agg_departments_next.rated_basic",
    "agg_departments_next.rated_satisfied",
    "agg_departments_next.rated_unsatisfied",
    "agg_departments_next.region_path",
    "agg_departments_next.returned",
    "agg_departments_next.reworked",
    "agg_departments_next.submitted",
    "agg_departments_next.submitted_on_time",
    "agg_fold.cases",
    "agg_fold.id",
    "agg_fold.last_seq",
    "agg_fold.rows_done",
    "agg_hot_words.bucket",
    "agg_hot_words.cases",
    "agg_hot_words.grain",
    "agg_hot_words.region_path",
    "agg_hot_words.word",
    "agg_hot_words_next.bucket",
    "agg_hot_words_next.cases",
    "agg_hot_words_next.grain",
    "agg_hot_words_next.region_path",
    "agg_hot_words_next.word",
    "agg_pending.case_id",
    "agg_pending.open_due",
    "agg_pending.open_path",
    "agg_pending.seq",
    "agg_pending.words",
    "agg_rebuild.cases_before",
    "agg_rebuild.chunk_first",
    "agg_rebuild.chunk_last",
    "agg_rebuild.events_before",
    "agg_rebuild.id",
    "agg_rebuild.mark",
    "agg_rebuild.rows_done",
    "agg_reception.bucket",
    "agg_reception.grain",
    "agg_reception.held",
    "agg_reception.planned",
    "agg_reception.region_path",
    "api_tokens.created_at",
    "api_tokens.created_by",
    "api_tokens.id",
    "api_tokens.name",
    "api_tokens.revoked_at",
    "api_tokens.token_hash",
    "api_tokens.user_id",
    "assignments.case_id",
    "assignments.completed_at",
    "assignments.created_at",
    "assignments.department_id",
    "assignments.due_date",
    "assignments.grade",
    "assignments.id",
    "assignments.note",
    "assignments.requested_due",
    "assignments.result",
    "assignments.returned",
    "assignments.rework_count",
    "assignments.role",
    "assignments.state",
    "assignments.submitted_at",
    "assignments.updated_at",
    "attachments.bytes",
    "attachments.case_id",
    "attachments.created_at",
    "attachments.height",
    "attachments.id",
    "attachments.kind",
    "attachments.media_type",
    "attachments.position",
    "attachments.width",
    "calendar_years.source_text",
    "calendar_years.updated_at",
    "calendar_years.updated_by",
    "calendar_years.year",
    "case_events.actor_id",
    "case_events.actor_kind",
    "case_events.actor_name",
    "case_events.assignment_id",
    "case_events.at",
    "case_events.case_id",
    "case_events.data",
    "case_events.hash",
    "case_events.id",
    "case_events.kind",
    "case_events.note",
    "case_events.prev_hash",
    "case_events.seq",
    "case_meetings.case_id",
    "case_meetings.meeting_id",
    "cases.ack_due",
    "cases.acknowledged_at",
    "cases.address",
    "cases.anonymous",
    "cases.answer",
    "cases.answer_due",
    "cases.answered_at",
    "cases.body",
    "cases.category",
    "cases.channel",
    "cases.citizen_grade",
    "cases.citizen_mobile",
    "cases.citizen_name",
    "cases.client_token",
    "cases.closed_at",
    "cases.created_at",
    "cases.id",
    "cases.latitude_e6",
    "cases.longitude_e6",
    "cases.merged_into",
    "cases.rating_until",
    "cases.region_id",
    "cases.region_path",
    "cases.reopen_count",
    "cases.representative_id",
    "cases.resume_state",
    "cases.state",
    "cases.title",
    "cases.tracking_code",
    "cases.unit_id",
    "cases.updated_at",
    "cases.version",
    "chain_head.hash",
    "chain_head.id",
    "chain_head.seq",
    "code_scans.code",
    "code_scans.day",
    "code_scans.scans",
    "codes.code",
    "codes.created_at",
    "codes.kind",
    "codes.target_id",
    "deadline_notices.occasion",
    "deadline_notices.sent_at",
    "departments.active",
    "departments.code",
    "departments.contact_phone",
    "departments.created_at",
    "departments.fields",
    "departments.id",
    "departments.name",
    "departments.region_id",
    "departments.supervising_office",
    "departments.updated_at",
    "exports.attempts",
    "exports.claimed_by",
    "exports.claimed_until",
    "exports.created_at",
    "exports.error",
    "exports.finished_at",
    "exports.format",
    "exports.id",
    "exports.lang",
    "exports.owner_user_id",
    "exports.params",
    "exports.part_rows",
    "exports.parts",
    "exports.rows_done",
    "exports.rows_total",
    "exports.started_at",
    "exports.state",
    "exports.subject",
    "idempotency_keys.body",
    "idempotency_keys.created_at",
    "idempotency_keys.idem_key",
    "idempotency_keys.principal",
    "idempotency_keys.request_hash",
    "idempotency_keys.status",
    "import_batches.committed_at",
    "import_batches.created_at",
    "import_batches.file_name",
    "import_batches.id",
    "import_batches.resource",
    "import_batches.row_count",
    "import_batches.rows_json",
    "import_batches.user_id",
    "inbox_messages.body",
    "inbox_messages.created_at",
    "inbox_messages.id",
    "inbox_messages.link",
    "inbox_messages.read_at",
    "inbox_messages.subject",
    "inbox_messages.user_id",
    "intake_hits.at",
    "intake_hits.key_hash",
    "login_failures.address",
    "login_failures.at",
    "login_failures.id",
    "login_failures.username",
    "meetings.agenda",
    "meetings.cancelled_at",
    "meetings.citizens",
    "meetings.created_at",
    "meetings.id",
    "meetings.kind",
    "meetings.place",
    "meetings.representatives",
    "meetings.starts_at",
    "meetings.state",
    "meetings.title",
    "meetings.unit_id",
    "meetings.updated_at",
    "message_templates.body",
    "message_templates.key",
    "message_templates.subject",
    "message_templates.updated_at",
    "message_templates.updated_by",
    "notification_channels.active",
    "notification_channels.created_at",
    "notification_channels.id",
    "notification_channels.kind",
    "notification_channels.owner_id",
    "notification_channels.owner_kind",
    "notification_channels.secret",
    "notification_channels.target",
    "notification_channels.updated_at",
    "open_due.cases",
    "open_due.due",
    "open_due.region_path",
    "outbox.attempts",
    "outbox.body",
    "outbox.channel",
    "outbox.claimed_by",
    "outbox.claimed_until",
    "outbox.created_at",
    "outbox.dedupe_key",
    "outbox.id",
    "outbox.last_error",
    "outbox.last_response",
    "outbox.link",
    "outbox.next_attempt_at",
    "outbox.payload",
    "outbox.recipient_user_id",
    "outbox.secret",
    "outbox.sent_at",
    "outbox.state",
    "outbox.subject",
    "outbox.subscription_id",
    "outbox.target",
    "regions.active",
    "regions.code",
    "regions.created_at",
    "regions.id",
    "regions.level",
    "regions.name",
    "regions.parent_id",
    "regions.path",
    "regions.updated_at",
    "representative_photos.photo_id",
    "representative_photos.representative_id",
    "representative_photos.updated_at",
    "representatives.active",
    "representatives.body",
    "representatives.code",
    "representatives.created_at",
    "representatives.gender",
    "representatives.id",
    "representatives.level",
    "representatives.mobile",
    "representatives.name",
    "representatives.photo",
    "representatives.profile",
    "representatives.region_id",
    "representatives.sector",
    "representatives.title",
    "representatives.updated_at",
    "sessions.address",
    "sessions.created_at",
    "sessions.expires_at",
    "sessions.last_seen_at",
    "sessions.token_hash",
    "sessions.user_id",
    "settings.key",
    "settings.value",
    "unit_representatives.representative_id",
    "unit_representatives.unit_id",
    "units.active",
    "units.address",
    "units.code",
    "units.contact_name",
    "units.contact_phone",
    "units.created_at",
    "units.id",
    "units.kind",
    "units.last_case_day",
    "units.name",
    "units.online",
    "units.opening_hours",
    "units.reception_days",
    "units.region_id",
    "units.sector",
    "units.service_fields",
    "units.studio_kind",
    "units.updated_at",
    "users.active",
    "users.created_at",
    "users.department_id",
    "users.display_name",
    "users.id",
    "users.password_changed_at",
    "users.password_hash",
    "users.region_id",
    "users.representative_id",
    "users.role",
    "users.unit_id",
    "users.updated_at",
    "users.username",
    "webhook_subscriptions.consecutive_failures",
    "webhook_subscriptions.created_at",
    "webhook_subscriptions.department_id",
    "webhook_subscriptions.event_types",
    "webhook_subscriptions.id",
    "webhook_subscriptions.name",
    "webhook_subscriptions.owner_user_id",
    "webhook_subscriptions.region_id",
    "webhook_subscriptions.region_path",
    "webhook_subscriptions.secret",
    "webhook_subscriptions.state",
    "webhook_subscriptions.unit_id",
    "webhook_subscriptions.updated_at",
    "webhook_subscriptions.url",
];

/// The tables and views and their columns of a database (sqlx's own migration table left out).
async fn schema(db: &Db) -> BTreeSet<String> {
    let pairs: Vec<(String, String)> = match db {
        Db::Sqlite { pool, .. } => sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.name <> '_sqlx_migrations'",
        )
        .fetch_all(pool)
        .await
        .expect("sqlite schema"),
        Db::Postgres(pool) => sqlx::query_as(
            "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
        )
        .fetch_all(pool)
        .await
        .expect("postgres schema"),
    };
    pairs.into_iter().map(|(table, column)| format!("{table}.{column}")).collect()
}

#[tokio::test]
async fn both_engines_have_the_same_tables_and_columns() {
    let expected: BTreeSet<String> = EXPECTED_SCHEMA.iter().map(|s| s.to_string()).collect();
    let mut sqlite_schema = None;
    for t in engines().await {
        let found = schema(t.db()).await;
        match t.engine {
            "sqlite" => {
                let missing: Vec<_> = expected.difference(&found).collect();
                let extra: Vec<_> = found.difference(&expected).collect();
                assert!(
                    missing.is_empty() && extra.is_empty(),
                    "sqlite: the schema differs from EXPECTED_SCHEMA (update the list if the change is meant):\n\
                     missing {missing:?}\nextra {extra:?}"
                );
                sqlite_schema = Some(found);
            }
            _ => {
                let sqlite = sqlite_schema.as_ref().expect("SQLite comes first");
                let only_sqlite: Vec<_> = sqlite.difference(&found).collect();
                let only_postgres: Vec<_> = found.difference(sqlite).collect();
                assert!(
                    only_sqlite.is_empty() && only_postgres.is_empty(),
                    "the engines' schemas differ:\nonly on SQLite {only_sqlite:?}\nonly on PostgreSQL {only_postgres:?}"
                );
            }
        }
    }
}

/// The definition SQLite keeps of `table`.
async fn definition(pool: &sqlx::SqlitePool, table: &str) -> String {
    sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1")
        .bind(table)
        .fetch_one(pool)
        .await
        .expect("the table")
}

#[tokio::test]
async fn sqlite_keeps_the_counters_clustered_and_a_database_made_before_keeps_its_rows() {
    let t = crate::support::sqlite().await;
    let Db::Sqlite { pool, .. } = t.db() else { panic!("SQLite") };
    for table in minyi::db::layout::CLUSTERED {
        assert!(definition(pool, table).await.ends_with("WITHOUT ROWID"), "{table} is not clustered");
    }
    // A database from before: agg_cases stored with a rowid, with rows and its key index.
    let old = definition(pool, "agg_cases").await.replace(" WITHOUT ROWID", "").replace("agg_cases", "agg_cases_old");
    let mut conn = pool.acquire().await.unwrap();
    for statement in [
        old,
        "DROP TABLE agg_cases".to_string(),
        "ALTER TABLE agg_cases_old RENAME TO agg_cases".to_string(),
        "CREATE INDEX agg_cases_old_key ON agg_cases (key, dim, grain, bucket)".to_string(),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(statement.clone()))
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    drop(conn);
    for (key, received) in [("a", 3_i64), ("b", 5)] {
        sqlx::query(
            "INSERT INTO agg_cases SELECT 'unit', '/r/', 'd', '2026-03-02', $1, $2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0",
        )
        .bind(key)
        .bind(received)
        .execute(pool)
        .await
        .unwrap();
    }
    assert!(!definition(pool, "agg_cases").await.ends_with("WITHOUT ROWID"));
    t.db().migrate().await.unwrap();
    assert!(definition(pool, "agg_cases").await.ends_with("WITHOUT ROWID"), "rebuilt clustered");
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT key, received FROM agg_cases ORDER BY key").fetch_all(pool).await.unwrap();
    assert_eq!(rows, vec![("a".to_string(), 3), ("b".to_string(), 5)], "the rows are kept");
    let index: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'agg_cases_old_key'")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(index, 1, "the index is kept");
}

/// The bundled SQLite is built as `.cargo/config.toml` asks: each connection keeps its own
/// page cache (no SQLITE_ENABLE_MEMORY_MANAGEMENT, which puts them all behind one mutex)
/// and no memory statistics behind another, so reads on several connections run at once.
#[tokio::test]
async fn sqlite_is_built_with_a_page_cache_per_connection() {
    let t = crate::support::sqlite().await;
    let Db::Sqlite { pool, .. } = t.db() else { panic!("SQLite") };
    let options: Vec<String> = sqlx::query_scalar("PRAGMA compile_options").fetch_all(pool).await.unwrap();
    assert!(options.iter().any(|o| o == "THREADSAFE=1"), "{options:?}");
    assert!(!options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"), "{options:?}");
    assert!(options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{options:?}");
}
