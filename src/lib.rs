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

/// Holds the C library's allocator to two arenas. SQLite allocates its page caches with
/// the C library's `malloc` (the Rust side uses mimalloc), and glibc gives a thread that
/// meets a locked arena one of its own, up to eight a core: each of SQLite's connection
/// threads then keeps the free pages of its own arena. Two arenas kept the server's peak
/// resident memory 9–13 MB lower during intake and reads and 23–25 MB lower while the
/// cockpit is read, for no slower request (README, "Two C arenas"). Call it before the first thread starts. Returns whether the C library
/// took the setting (`false` off glibc, where there is nothing to set).
pub fn limit_c_allocator_arenas() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes the allocator's parameters; glibc documents
        // M_ARENA_MAX as settable at any time, and no pointer is passed.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, 2) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_takes_the_arena_limit() {
        assert!(super::limit_c_allocator_arenas());
    }
}
