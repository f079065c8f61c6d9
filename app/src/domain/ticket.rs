//! Tickets (phiếu yêu cầu): their ids, statuses and the workflow between them.

use serde::{Deserialize, Serialize};

use crate::i18n::Key;

/// A ticket's id at HQ — the seed's `id_feedback`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type,
)]
#[sqlx(transparent)]
pub struct TicketId(pub i64);

impl std::fmt::Display for TicketId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The seven statuses of the seed, with their ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TicketStatus {
    New = 1,
    NotProcessed = 2,
    Processing = 3,
    Processed = 4,
    Closed = 5,
    Reopened = 6,
    Cancelled = 7,
}

/// Why a status change was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransitionRefusal {
    /// The target is not reachable from the current status.
    NotAllowed,
    /// A ticket is marked processed only with a solution for the customer.
    NeedsSolution,
    /// Closed and cancelled tickets change only by reopening (closed) or not at all (cancelled).
    Final,
}

impl TransitionRefusal {
    pub fn key(self) -> Key {
        match self {
            TransitionRefusal::NotAllowed => Key::TransitionNotAllowed,
            TransitionRefusal::NeedsSolution => Key::TransitionNeedsSolution,
            TransitionRefusal::Final => Key::TransitionFinal,
        }
    }
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 7] = [
        TicketStatus::New,
        TicketStatus::NotProcessed,
        TicketStatus::Processing,
        TicketStatus::Processed,
        TicketStatus::Closed,
        TicketStatus::Reopened,
        TicketStatus::Cancelled,
    ];

    pub fn id(self) -> i64 {
        self as i64
    }

    pub fn from_id(id: i64) -> Option<TicketStatus> {
        TicketStatus::ALL
            .into_iter()
            .find(|status| status.id() == id)
    }

    /// Whether the ticket still needs work (counts towards queues and SLA).
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            TicketStatus::Processed | TicketStatus::Closed | TicketStatus::Cancelled
        )
    }

    /// The workflow. New and reopened tickets are taken up or cancelled; work in
    /// progress ends processed (with a solution) or goes back to the queue; a
    /// processed ticket is closed or reopened; a closed one only reopened; a
    /// cancelled one is final.
    pub fn next(self) -> &'static [TicketStatus] {
        use TicketStatus::*;
        match self {
            New => &[NotProcessed, Processing, Cancelled],
            NotProcessed => &[Processing, Cancelled],
            Processing => &[Processed, NotProcessed, Cancelled],
            Processed => &[Closed, Reopened],
            Closed => &[Reopened],
            Reopened => &[Processing, Processed, Cancelled],
            Cancelled => &[],
        }
    }

    /// Checks a change of status; `has_solution` says whether a solution is written.
    pub fn check_transition(
        self,
        to: TicketStatus,
        has_solution: bool,
    ) -> Result<(), TransitionRefusal> {
        if self == TicketStatus::Cancelled {
            return Err(TransitionRefusal::Final);
        }
        if !self.next().contains(&to) {
            return Err(TransitionRefusal::NotAllowed);
        }
        if to == TicketStatus::Processed && !has_solution {
            return Err(TransitionRefusal::NeedsSolution);
        }
        Ok(())
    }

    pub fn key(self) -> Key {
        match self {
            TicketStatus::New => Key::StatusNew,
            TicketStatus::NotProcessed => Key::StatusNotProcessed,
            TicketStatus::Processing => Key::StatusProcessing,
            TicketStatus::Processed => Key::StatusProcessed,
            TicketStatus::Closed => Key::StatusClosed,
            TicketStatus::Reopened => Key::StatusReopened,
            TicketStatus::Cancelled => Key::StatusCancelled,
        }
    }
}

/// Where a ticket came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TicketSource {
    App,
    Api,
    Staff,
}

impl TicketSource {
    pub const ALL: [TicketSource; 3] = [TicketSource::App, TicketSource::Api, TicketSource::Staff];

    pub fn code(self) -> &'static str {
        match self {
            TicketSource::App => "app",
            TicketSource::Api => "api",
            TicketSource::Staff => "staff",
        }
    }

    pub fn parse(code: &str) -> Option<TicketSource> {
        TicketSource::ALL
            .into_iter()
            .find(|source| source.code() == code)
    }

    pub fn key(self) -> Key {
        match self {
            TicketSource::App => Key::SourceApp,
            TicketSource::Api => Key::SourceApi,
            TicketSource::Staff => Key::SourceStaff,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TicketStatus::*;
    use super::*;

    #[test]
    fn ids_are_the_seeds() {
        let ids: Vec<i64> = TicketStatus::ALL.iter().map(|s| s.id()).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(TicketStatus::from_id(6), Some(Reopened));
        assert_eq!(TicketStatus::from_id(8), None);
    }

    #[test]
    fn the_workflow_allows_the_usual_path() {
        assert_eq!(New.check_transition(Processing, false), Ok(()));
        assert_eq!(Processing.check_transition(Processed, true), Ok(()));
        assert_eq!(Processed.check_transition(Closed, true), Ok(()));
        assert_eq!(Closed.check_transition(Reopened, true), Ok(()));
        assert_eq!(Reopened.check_transition(Processing, true), Ok(()));
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(
            New.check_transition(Closed, true),
            Err(TransitionRefusal::NotAllowed)
        );
        assert_eq!(
            Processing.check_transition(Processed, false),
            Err(TransitionRefusal::NeedsSolution)
        );
        assert_eq!(
            Cancelled.check_transition(Reopened, true),
            Err(TransitionRefusal::Final)
        );
        assert_eq!(
            Closed.check_transition(Processing, true),
            Err(TransitionRefusal::NotAllowed)
        );
    }

    #[test]
    fn no_status_leads_to_itself() {
        for status in TicketStatus::ALL {
            assert!(!status.next().contains(&status), "{status:?}");
        }
    }
}
