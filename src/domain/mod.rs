//! The pure core: types that are parsed once at the edge and trusted after.
//!
//! Nothing in here does IO, awaits, touches SQL or HTTP, or reads the clock:
//! "now" is passed in. The `tidy` test enforces this.

pub mod attachment;
pub mod calendar;
pub mod case;
pub mod columns;
pub mod deadline;
pub mod department;
pub mod fields;
pub mod meeting;
pub mod msg;
pub mod permission;
pub mod rates;
pub mod reception;
pub mod record;
pub mod region;
pub mod representative;
pub mod tally;
pub mod unit;
pub mod user;
pub mod words;
pub mod workflow;

pub use msg::{FieldError, Msg};
