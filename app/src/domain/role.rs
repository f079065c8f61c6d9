use serde::{Deserialize, Serialize};

/// What a staff account may do; its reach is limited further by its branch scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Admin,
    HqStaff,
    BranchStaff,
    CampaignManager,
    BranchAdmin,
    Executive,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::HqStaff,
        Role::BranchStaff,
        Role::CampaignManager,
        Role::BranchAdmin,
        Role::Executive,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::HqStaff => "hq_staff",
            Role::BranchStaff => "branch_staff",
            Role::CampaignManager => "campaign_manager",
            Role::BranchAdmin => "branch_admin",
            Role::Executive => "executive",
        }
    }

    pub fn parse(input: &str) -> Result<Role, String> {
        let input = input.trim();
        Role::ALL
            .into_iter()
            .find(|role| role.code() == input)
            .ok_or_else(|| {
                let allowed: Vec<&str> = Role::ALL.iter().map(|role| role.code()).collect();
                format!("unknown role {input:?}; allowed: {}", allowed.join(", "))
            })
    }

    /// Whether an account of this role must be bound to one branch.
    pub fn requires_branch(self) -> bool {
        matches!(self, Role::BranchStaff | Role::BranchAdmin)
    }

    /// Whether an account of this role must be HQ-wide (no branch).
    pub fn requires_hq(self) -> bool {
        matches!(self, Role::Admin | Role::HqStaff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_code() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Ok(role));
        }
    }

    #[test]
    fn unknown_role_names_the_allowed_ones() {
        let error = Role::parse("root").expect_err("root is not a role");
        assert!(
            error.contains("root") && error.contains("branch_admin"),
            "{error}"
        );
    }
}
