//! The notices a move's effects ask for, written into the outbox in the move's
//! own transaction (so a notice exists exactly when its move was committed).

use std::collections::HashMap;

use serde_json::json;

use crate::clock::Millis;
use crate::db::{self, Tx};
use crate::domain::case::Case;
use crate::domain::workflow::Recipient;
use crate::error::Result;
use crate::notify::{self, Audience, Notice};

/// What a notice says beyond the case itself.
pub(super) struct NoticeDetail<'a> {
    pub reason: &'a str,
    pub grade: &'a str,
    pub due: Option<chrono::NaiveDate>,
}

/// The notices a move's effects ask for (or the intake writer's whole batch's),
/// gathered for one transaction and written together: a receiver's name and accounts
/// are read once. Citizens have no account: they follow their case by tracking code,
/// so notices meant for them are shown there, not sent.
#[derive(Default)]
pub(super) struct PartyNotices {
    notices: notify::Notices,
    /// The receiver's name and accounts, by (representative, unit).
    receivers: HashMap<ReceiverKey, (String, Vec<String>)>,
}

/// A case's receiver: its representative, or its unit.
pub(super) type ReceiverKey = (Option<String>, Option<String>);

impl PartyNotices {
    /// Gathers the notice `template` for `to` about `case`: reads, writes nothing.
    pub(super) async fn add(
        &mut self,
        tx: &mut Tx,
        case: &Case,
        to: &Recipient,
        template: &str,
        detail: &NoticeDetail<'_>,
        now: Millis,
    ) -> Result<()> {
        let mut context = json!({
            "case_title": case.title,
            "tracking_code": case.tracking_code,
            "reason": detail.reason,
            "grade": detail.grade,
            "due_date": detail.due.map(|d| d.to_string()).unwrap_or_default(),
        });
        let audiences = match to {
            Recipient::Citizen => return Ok(()),
            Recipient::Department(department_id) => {
                let name = db::departments::get(tx, department_id).await?.map(|d| d.input.name).unwrap_or_default();
                context["department"] = json!(name);
                vec![Audience::Department(department_id.clone())]
            }
            Recipient::Receiver => {
                let key = (case.representative_id.clone(), case.unit_id.clone());
                if !self.receivers.contains_key(&key) {
                    let found = (receiver_name(tx, case).await?, receiver_accounts(tx, case).await?);
                    self.receivers.insert(key.clone(), found);
                }
                let (name, accounts) = &self.receivers[&key];
                context["representative"] = json!(name);
                accounts.iter().cloned().map(Audience::User).collect()
            }
        };
        let link = format!("/cases/{}", case.id);
        let occasion = format!("case:{}:{}:{}", case.id, template, case.version);
        for audience in &audiences {
            let notice = Notice { template, context: &context, link: &link, occasion: &occasion };
            self.notices.add(tx, audience, &notice, now).await?;
        }
        Ok(())
    }

    /// Tells the name and accounts of a case's receiver (its representative, or its unit),
    /// read beforehand with many others, so [`PartyNotices::add`] need not read them.
    pub(super) fn know_receiver(&mut self, receiver: ReceiverKey, name: String, accounts: Vec<String>) {
        self.receivers.insert(receiver, (name, accounts));
    }

    /// Writes every notice gathered.
    pub(super) async fn write(self, tx: &mut Tx, now: Millis) -> Result<()> {
        self.notices.write(tx, now).await?;
        Ok(())
    }
}

/// Whom a notice to the receiver greets: the representative by name, or the unit.
async fn receiver_name(tx: &mut Tx, case: &Case) -> Result<String> {
    Ok(match (&case.representative_id, &case.unit_id) {
        (Some(rep), _) => db::representatives::get(tx, rep).await?.map(|r| r.input.name).unwrap_or_default(),
        (None, Some(unit)) => db::units::get(tx, unit).await?.map(|u| u.input.name).unwrap_or_default(),
        (None, None) => String::new(),
    })
}

/// The staff accounts responsible for a case: the representative's, or those of the
/// unit's keepers and representatives.
pub(crate) async fn receiver_accounts(tx: &mut Tx, case: &Case) -> Result<Vec<String>> {
    Ok(match (&case.representative_id, &case.unit_id) {
        (Some(rep), _) => db::users::ids_for_representative(tx, rep).await?,
        (None, Some(unit)) => db::users::ids_for_unit(tx, unit).await?,
        (None, None) => Vec::new(),
    })
}
