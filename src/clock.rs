//! Time enters minyi only here: everything else receives "now" from a [`Clock`].

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Milliseconds since the Unix epoch, UTC: the only time format we store.
pub type Millis = i64;

pub trait Clock: Send + Sync + 'static {
    fn now_ms(&self) -> Millis;
}

/// The wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> Millis {
        chrono::Utc::now().timestamp_millis()
    }
}

/// A clock that tests move by hand; it never moves by itself.
#[derive(Clone)]
pub struct FakeClock {
    now: Arc<AtomicI64>,
}

impl FakeClock {
    pub fn at(now: Millis) -> FakeClock {
        FakeClock { now: Arc::new(AtomicI64::new(now)) }
    }

    pub fn advance_ms(&self, delta: Millis) {
        self.now.fetch_add(delta, Ordering::SeqCst);
    }

    pub fn set(&self, now: Millis) {
        self.now.store(now, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now_ms(&self) -> Millis {
        self.now.load(Ordering::SeqCst)
    }
}
