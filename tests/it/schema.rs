//! The same tables and columns on both engines. The migrations are written once in
//! the SQL both accept; where DDL must one day differ, this test keeps the two in step.

use std::collections::BTreeSet;

use minyi::db::Db;

use crate::support::engines;

/// Every table and column the migrations make, as `table.column`, sorted.
const EXPECTED_SCHEMA: &[&str] = &[
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
];

/// The tables and columns of a database (sqlx's own migration table left out).
async fn schema(db: &Db) -> BTreeSet<String> {
    let pairs: Vec<(String, String)> = match db {
        Db::Sqlite { pool, .. } => sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.name <> '_sqlx_migrations'",
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
