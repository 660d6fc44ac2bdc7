//! minyi (民意): the platform of grassroots liaison stations (人大代表联络站) and
//! member studios (政协委员工作室). See ARCHITECTURE.md for the map of this crate.

pub mod actions;
pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod notify;
pub mod synth;
pub mod web;
