//! The one authorisation question: may this user do X on branch B?

use crate::domain::{BranchCode, Role};
use crate::error::AppError;

use super::CurrentUser;

/// Something a staff user may try to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Read data (tickets, dashboards, reference lists) of the branch.
    Read,
    /// See the user administration pages.
    ViewUsers,
    /// Create or change staff accounts of the branch.
    ManageUsers,
    /// Change reference data (HQ-wide only).
    ManageReference,
    /// Create tickets and change them (status, assignment, notes) in the branch.
    WorkTickets,
    /// Change a branch's own settings, such as its meter-reading schedule.
    ManageBranchSettings,
}

/// Which branches' rows a query may return for a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    AllBranches,
    Branch(BranchCode),
}

impl Scope {
    pub fn of(user: &CurrentUser) -> Scope {
        match &user.branch {
            Some(branch) => Scope::Branch(branch.clone()),
            None => Scope::AllBranches,
        }
    }

    /// The branch a store query must be limited to, if any.
    pub fn branch(&self) -> Option<&BranchCode> {
        match self {
            Scope::AllBranches => None,
            Scope::Branch(branch) => Some(branch),
        }
    }

    pub fn covers(&self, branch: Option<&BranchCode>) -> bool {
        match (self, branch) {
            (Scope::AllBranches, _) => true,
            (Scope::Branch(own), Some(target)) => own == target,
            // HQ-level data is outside any single branch's scope.
            (Scope::Branch(_), None) => false,
        }
    }
}

/// Answers whether `user` may do `permission` on data of `branch` (`None`: HQ-level data).
pub fn authorize(
    user: &CurrentUser,
    permission: Permission,
    branch: Option<&BranchCode>,
) -> Result<(), AppError> {
    let in_scope = Scope::of(user).covers(branch);
    let allowed = match permission {
        Permission::Read => in_scope || branch.is_none(),
        Permission::ViewUsers => matches!(user.role, Role::Admin | Role::BranchAdmin),
        Permission::ManageUsers | Permission::ManageBranchSettings => match user.role {
            Role::Admin => true,
            Role::BranchAdmin => user.branch.is_some() && in_scope,
            _ => false,
        },
        Permission::ManageReference => user.role == Role::Admin && user.branch.is_none(),
        Permission::WorkTickets => {
            in_scope
                && matches!(
                    user.role,
                    Role::Admin | Role::HqStaff | Role::BranchStaff | Role::BranchAdmin
                )
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Language, UserId, Username};

    fn user(role: Role, branch: Option<&str>) -> CurrentUser {
        CurrentUser {
            id: UserId(1),
            username: Username::parse("someone").expect("valid"),
            display_name: "Someone".into(),
            role,
            branch: branch.map(|code| BranchCode::parse(code).expect("valid")),
            language: Language::Vi,
            must_change_password: false,
        }
    }

    fn code(value: &str) -> BranchCode {
        BranchCode::parse(value).expect("valid")
    }

    #[test]
    fn a_branch_user_reads_only_their_branch() {
        let agent = user(Role::BranchStaff, Some("GD"));
        assert!(authorize(&agent, Permission::Read, Some(&code("GD"))).is_ok());
        assert_eq!(
            authorize(&agent, Permission::Read, Some(&code("CL"))),
            Err(AppError::Forbidden)
        );
    }

    #[test]
    fn a_branch_admin_manages_only_their_branch() {
        let branch_admin = user(Role::BranchAdmin, Some("GD"));
        assert!(authorize(&branch_admin, Permission::ManageUsers, Some(&code("GD"))).is_ok());
        assert!(authorize(&branch_admin, Permission::ManageUsers, Some(&code("TD"))).is_err());
        assert!(authorize(&branch_admin, Permission::ManageUsers, None).is_err());
        assert!(authorize(&branch_admin, Permission::ManageReference, None).is_err());
    }

    #[test]
    fn a_branch_admin_manages_only_their_own_branch_settings() {
        let branch_admin = user(Role::BranchAdmin, Some("GD"));
        assert!(
            authorize(
                &branch_admin,
                Permission::ManageBranchSettings,
                Some(&code("GD"))
            )
            .is_ok()
        );
        assert_eq!(
            authorize(
                &branch_admin,
                Permission::ManageBranchSettings,
                Some(&code("CL"))
            ),
            Err(AppError::Forbidden)
        );
        assert!(authorize(&branch_admin, Permission::ManageBranchSettings, None).is_err());
        for role in [
            Role::BranchStaff,
            Role::HqStaff,
            Role::Executive,
            Role::CampaignManager,
        ] {
            let branch = (role == Role::BranchStaff).then_some("GD");
            assert!(
                authorize(
                    &user(role, branch),
                    Permission::ManageBranchSettings,
                    Some(&code("GD"))
                )
                .is_err(),
                "{role:?}"
            );
        }
    }

    #[test]
    fn an_executive_and_staff_change_nothing_administrative() {
        for role in [
            Role::Executive,
            Role::HqStaff,
            Role::CampaignManager,
            Role::BranchStaff,
        ] {
            let someone = user(role, None);
            assert!(
                authorize(&someone, Permission::ManageUsers, None).is_err(),
                "{role:?}"
            );
            assert!(
                authorize(&someone, Permission::ViewUsers, None).is_err(),
                "{role:?}"
            );
            assert!(
                authorize(&someone, Permission::ManageReference, None).is_err(),
                "{role:?}"
            );
        }
    }

    #[test]
    fn an_admin_manages_everything() {
        let admin = user(Role::Admin, None);
        for permission in [
            Permission::Read,
            Permission::ManageUsers,
            Permission::ManageReference,
            Permission::ManageBranchSettings,
        ] {
            assert!(authorize(&admin, permission, Some(&code("NB"))).is_ok());
            assert!(authorize(&admin, permission, None).is_ok());
        }
    }
}
