//! The one integration-test binary. `support` is the harness every file uses;
//! each other module tests one part of minyi on every storage engine (SQLite
//! always, PostgreSQL when `TEST_DATABASE_URL` is set).

mod browser;
mod http;
mod http_api;
mod http_cases;
mod http_citizen;
mod http_codes;
mod http_form;
mod http_foundation;
mod http_settings;
mod http_studios;
mod http_uploads;
mod support;

mod actions;
mod api_lists;
mod api_parity;
mod backup;
mod calendars;
mod cockpit;
mod cockpit_bounds;
mod cockpit_rebuild;
mod exports;
mod import;
mod intake;
mod jobs;
mod meetings;
mod notify;
mod open311;
mod openapi;
mod permissions;
mod photos;
mod reception;
mod schema;
mod storage;
mod storage_cases;
mod storage_lane;
mod storage_small_tables;
mod synth;
mod tidy;
mod webhooks;
