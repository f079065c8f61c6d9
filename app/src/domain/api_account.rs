//! What an API account is for, which decides what its token may do.

use serde::{Deserialize, Serialize};

/// `app`: the customer app's backend (tickets of any branch, reads by phone);
/// `branch`: one member company's software (that branch's tickets only);
/// `hq`: one TCRM instance reaching another (HQ ↔ branch).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiAccountKind {
    App,
    Branch,
    Hq,
}

impl ApiAccountKind {
    pub const ALL: [ApiAccountKind; 3] = [
        ApiAccountKind::App,
        ApiAccountKind::Branch,
        ApiAccountKind::Hq,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ApiAccountKind::App => "app",
            ApiAccountKind::Branch => "branch",
            ApiAccountKind::Hq => "hq",
        }
    }

    pub fn parse(code: &str) -> Option<ApiAccountKind> {
        let code = code.trim().to_ascii_lowercase();
        ApiAccountKind::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
    }
}

impl std::fmt::Display for ApiAccountKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

// Stored as its code in a TEXT column on both backends.
impl<DB: sqlx::Database> sqlx::Type<DB> for ApiAccountKind
where
    String: sqlx::Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as sqlx::Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as sqlx::Type<DB>>::compatible(ty)
    }
}

impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for ApiAccountKind
where
    String: sqlx::Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let text = <String as sqlx::Decode<'r, DB>>::decode(value)?;
        ApiAccountKind::parse(&text)
            .ok_or_else(|| format!("unknown API account kind {text:?}").into())
    }
}

impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for ApiAccountKind
where
    &'q str: sqlx::Encode<'q, DB>,
{
    fn encode_by_ref(
        &self,
        buf: &mut DB::ArgumentBuffer<'q>,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <&'q str as sqlx::Encode<'q, DB>>::encode(self.code(), buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_codes() {
        for kind in ApiAccountKind::ALL {
            assert_eq!(ApiAccountKind::parse(kind.code()), Some(kind));
        }
        assert_eq!(ApiAccountKind::parse(" HQ "), Some(ApiAccountKind::Hq));
        assert_eq!(ApiAccountKind::parse("staff"), None);
    }
}
