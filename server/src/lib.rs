//! The `tcrm` binary's pieces: configuration, start-up, HTTP plumbing and the CLI.

pub mod api;
pub mod assets;
pub mod bench_ceiling;
pub mod bootstrap;
pub mod cli;
pub mod config;
pub mod demo_data;
pub mod federation;
pub mod security;
pub mod startup;
pub mod telemetry;
