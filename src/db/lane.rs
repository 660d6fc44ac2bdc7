//! SQLite connections lent outside sqlx's pool: reading ones for lone reads
//! ([`super::Db::read_alone`]: who a request signs in as, a case read whole), and the one
//! writer for every write transaction ([`Writing`], [`super::Db::write`]). sqlx tests
//! every connection that comes back to its pool with a ping, in a task it spawns; on
//! SQLite that is a round trip to the connection's thread and back, as dear as the read
//! itself, and a writer's next transaction waited for it. A [`Lane`] keeps up to a few of
//! the pool's connections checked out for good and lends them itself: a [`Lease`] puts its
//! connection back on the lane's list when it is dropped, with no task and no ping. An
//! embedded database has no other end to hang up, and a statement cut short by a dropped
//! request is finished or reset by the connection's thread before the next one it is sent,
//! which queues behind it.

use std::sync::{Arc, Mutex};

use sqlx::pool::PoolConnection;
use sqlx::{AssertSqlSafe, SqlSafeStr};
use sqlx_core::transaction::TransactionManager;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::DbResult;

/// Connections of `pool` lent outside it (for lone reads, or the one writer), at most
/// `size` at once.
pub struct Lane<DB: sqlx::Database> {
    pool: sqlx::Pool<DB>,
    permits: Arc<Semaphore>,
    idle: Mutex<Idle<DB>>,
}

struct Idle<DB: sqlx::Database> {
    connections: Vec<PoolConnection<DB>>,
    /// Set by [`Lane::close`]: a lease then gives its connection back to the pool.
    closed: bool,
}

impl<DB: sqlx::Database> std::fmt::Debug for Lane<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lane").field("free", &self.permits.available_permits()).finish()
    }
}

impl<DB: sqlx::Database> Lane<DB> {
    pub fn new(pool: sqlx::Pool<DB>, size: usize) -> Arc<Lane<DB>> {
        let idle = Mutex::new(Idle { connections: Vec::with_capacity(size), closed: false });
        Arc::new(Lane { pool, permits: Arc::new(Semaphore::new(size)), idle })
    }

    /// A connection of the lane, waiting for one when all are lent; the pool opens
    /// (or hands over) one when the lane has none idle.
    pub async fn lease(self: &Arc<Self>) -> DbResult<Lease<DB>> {
        let permit = self.permits.clone().acquire_owned().await.map_err(|_| sqlx::Error::PoolClosed)?;
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).connections.pop();
        let connection = match idle {
            Some(connection) => connection,
            None => self.pool.acquire().await?,
        };
        Ok(Lease { connection: Some(connection), lane: self.clone(), _permit: permit })
    }

    /// Gives the idle connections back to the pool, and every lent one as its lease
    /// ends, so the pool can close.
    pub fn close(&self) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.closed = true;
        idle.connections.clear();
    }

    /// How many connections the lane holds idle.
    pub fn idle(&self) -> usize {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).connections.len()
    }
}

/// A connection lent by a [`Lane`], back on its list when dropped.
pub struct Lease<DB: sqlx::Database> {
    connection: Option<PoolConnection<DB>>,
    lane: Arc<Lane<DB>>,
    _permit: OwnedSemaphorePermit,
}

impl<DB: sqlx::Database> std::ops::Deref for Lease<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        self.connection.as_ref().expect("a lease holds its connection until dropped")
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for Lease<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        self.connection.as_mut().expect("a lease holds its connection until dropped")
    }
}

impl<DB: sqlx::Database> Drop for Lease<DB> {
    fn drop(&mut self) {
        let Some(connection) = self.connection.take() else { return };
        let mut idle = self.lane.idle.lock().unwrap_or_else(|e| e.into_inner());
        if !idle.closed {
            idle.connections.push(connection);
        }
    }
}

/// A transaction on a connection lent by a [`Lane`]: SQLite's one writer, kept out of its pool
/// so that it is not pinged each time a transaction ends (a round trip to its thread that the
/// next transaction waited for). Begun and ended by the engine's `TransactionManager`, as
/// sqlx's own `Transaction` does it: dropped before its commit, it asks for a rollback, which
/// the connection's thread runs before anything sent after it.
pub struct Writing<DB: sqlx::Database> {
    lease: Lease<DB>,
    open: bool,
}

impl<DB: sqlx::Database> Writing<DB> {
    /// Begins a transaction with `statement` (`BEGIN IMMEDIATE`, say) on `lease`.
    pub async fn begin(mut lease: Lease<DB>, statement: &'static str) -> DbResult<Writing<DB>> {
        DB::TransactionManager::begin(&mut lease, Some(AssertSqlSafe(statement).into_sql_str())).await?;
        Ok(Writing { lease, open: true })
    }

    pub async fn commit(mut self) -> DbResult<()> {
        DB::TransactionManager::commit(&mut self.lease).await?;
        self.open = false;
        Ok(())
    }
}

impl<DB: sqlx::Database> std::ops::Deref for Writing<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        &self.lease
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for Writing<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        &mut self.lease
    }
}

impl<DB: sqlx::Database> Drop for Writing<DB> {
    fn drop(&mut self) {
        if self.open {
            DB::TransactionManager::start_rollback(&mut self.lease);
        }
    }
}
