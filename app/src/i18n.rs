//! Every string of the portal, in Vietnamese (default) and English.
//!
//! A typed catalogue rather than runtime files: a missing translation or a
//! misspelt key is a compile error, and keys can travel inside errors
//! (`FieldError::message`) and be rendered in the reader's language.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::domain::Language;

macro_rules! catalogue {
    ($($key:ident => $vi:literal, $en:literal;)*) => {
        /// A translatable string of the portal.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Key { $($key),* }

        impl Key {
            pub fn text(self, language: Language) -> &'static str {
                match (self, language) {
                    $(
                        (Key::$key, Language::Vi) => $vi,
                        (Key::$key, Language::En) => $en,
                    )*
                }
            }
        }
    };
}

/// The language of the page being rendered.
pub fn use_language() -> Language {
    use_context::<Language>().unwrap_or_default()
}

/// The text of `key` in the language of the page being rendered.
pub fn t(key: Key) -> &'static str {
    key.text(use_language())
}

catalogue! {
    AppName => "TCRM SAWACO", "TCRM SAWACO";
    AppTagline => "Chăm sóc khách hàng — Tổng Công ty Cấp nước Sài Gòn", "Customer care — Saigon Water Corporation";
    SkipToContent => "Chuyển đến nội dung chính", "Skip to main content";
    MainNavigation => "Điều hướng chính", "Main navigation";
    NavHome => "Tổng quan", "Overview";
    NavUsers => "Người dùng", "Users";
    NavReference => "Danh mục", "Reference data";
    NavAccount => "Tài khoản", "Account";
    SignIn => "Đăng nhập", "Sign in";
    SignOut => "Đăng xuất", "Sign out";
    SignInTitle => "Đăng nhập TCRM", "Sign in to TCRM";
    Username => "Tên đăng nhập", "Username";
    Password => "Mật khẩu", "Password";
    DisplayName => "Họ và tên", "Full name";
    Role => "Vai trò", "Role";
    Branch => "Đơn vị", "Branch";
    Scope => "Phạm vi", "Scope";
    ScopeHq => "Toàn Tổng Công ty", "All branches (HQ)";
    Status => "Trạng thái", "Status";
    Active => "Đang hoạt động", "Active";
    Inactive => "Đã khoá", "Deactivated";
    Actions => "Thao tác", "Actions";
    Save => "Lưu", "Save";
    Create => "Tạo", "Create";
    Edit => "Sửa", "Edit";
    Back => "Quay lại", "Back";
    LastSignIn => "Đăng nhập gần nhất", "Last sign-in";
    Never => "Chưa bao giờ", "Never";
    Language => "Ngôn ngữ", "Language";
    SwitchLanguage => "English", "Tiếng Việt";
    SwitchLanguageLabel => "Chuyển sang tiếng Anh", "Switch to Vietnamese";
    SignedInAs => "Đang đăng nhập", "Signed in as";
    Welcome => "Xin chào", "Welcome";
    HomeIntro => "Đây là trang tổng quan của bạn. Các phiếu yêu cầu, chiến dịch thông báo và báo cáo sẽ xuất hiện ở đây khi được bật.", "This is your overview. Tickets, notification campaigns and reports appear here as they are switched on.";
    HomeYourAccess => "Quyền của bạn", "Your access";
    ChangePassword => "Đổi mật khẩu", "Change password";
    CurrentPassword => "Mật khẩu hiện tại", "Current password";
    NewPassword => "Mật khẩu mới", "New password";
    ConfirmPassword => "Nhập lại mật khẩu mới", "Confirm the new password";
    PasswordRules => "Ít nhất 10 ký tự, không chứa tên đăng nhập.", "At least 10 characters, not containing the username.";
    PasswordChanged => "Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc.", "Password changed. Your other sessions have been signed out.";
    MustChangePassword => "Bạn cần đổi mật khẩu trước khi tiếp tục.", "You must change your password before going on.";
    LanguageSaved => "Đã lưu ngôn ngữ.", "Language saved.";
    UsersTitle => "Người dùng", "Users";
    UsersIntro => "Tài khoản nhân viên, vai trò và phạm vi đơn vị.", "Staff accounts, their roles and branch scope.";
    NewUser => "Tạo người dùng", "New user";
    InitialPassword => "Mật khẩu ban đầu", "Initial password";
    InitialPasswordHelp => "Người dùng phải đổi mật khẩu này ở lần đăng nhập đầu tiên.", "The user must change it at first sign-in.";
    UserCreated => "Đã tạo người dùng.", "User created.";
    UserSaved => "Đã lưu thay đổi.", "Changes saved.";
    EditUser => "Sửa người dùng", "Edit user";
    Deactivate => "Khoá tài khoản", "Deactivate";
    Reactivate => "Mở khoá tài khoản", "Reactivate";
    ResetPassword => "Đặt lại mật khẩu", "Reset password";
    PasswordReset => "Đã đặt lại mật khẩu; người dùng phải đổi ở lần đăng nhập tới.", "Password reset; the user must change it at next sign-in.";
    NoUsers => "Chưa có người dùng nào.", "No users yet.";
    FilterSearch => "Tìm theo tên", "Search by name";
    Filter => "Lọc", "Filter";
    AllBranches => "Tất cả đơn vị", "All branches";
    ReferenceTitle => "Danh mục dùng chung", "Reference data";
    Branches => "Đơn vị cấp nước", "Member companies";
    BranchCode => "Mã đơn vị", "Branch code";
    BranchName => "Tên đơn vị", "Name";
    BaseUrl => "Địa chỉ TCRM của đơn vị", "Branch TCRM base URL";
    KnownHost => "Tên miền đã biết", "Known host";
    NotConfigured => "Chưa cấu hình", "Not configured";
    RequestTypes => "Loại yêu cầu (id_type)", "Request types (id_type)";
    Departments => "Phòng ban xử lý (id_process_unit)", "Departments (id_process_unit)";
    Priorities => "Mức độ ưu tiên (id_priority)", "Priorities (id_priority)";
    Statuses => "Trạng thái phiếu yêu cầu", "Ticket statuses";
    ServiceCatalogue => "Danh mục dịch vụ", "Service catalogue";
    ServiceCategory => "Dịch vụ (id_service_category)", "Service (id_service_category)";
    ServiceComponent => "Thành phần (id_related)", "Component (id_related)";
    ServiceReason => "Chi tiết (id_service_reason)", "Detail (id_service_reason)";
    Id => "ID", "ID";
    Name => "Tên", "Name";
    NotFoundTitle => "Không tìm thấy trang", "Page not found";
    NotFoundBody => "Trang bạn tìm không tồn tại hoặc đã được chuyển đi.", "The page you asked for does not exist or has moved.";
    ForbiddenTitle => "Không có quyền truy cập", "Access denied";
    ForbiddenBody => "Tài khoản của bạn không có quyền xem trang này.", "Your account may not open this page.";
    GoHome => "Về trang tổng quan", "Back to the overview";
    RoleAdmin => "Quản trị hệ thống", "System administrator";
    RoleHqStaff => "Nhân viên Tổng Công ty", "HQ staff";
    RoleBranchStaff => "Nhân viên đơn vị", "Branch staff";
    RoleCampaignManager => "Quản lý chiến dịch", "Campaign manager";
    RoleBranchAdmin => "Quản trị đơn vị", "Branch administrator";
    RoleExecutive => "Lãnh đạo (chỉ xem)", "Executive (read-only)";
    ErrValidation => "Vui lòng sửa các trường được đánh dấu.", "Please correct the marked fields.";
    ErrInvalidCredentials => "Tên đăng nhập hoặc mật khẩu không đúng.", "Invalid username or password.";
    ErrLockedOut => "Đăng nhập tạm thời bị khoá do nhập sai nhiều lần. Vui lòng thử lại sau", "Sign-in is temporarily locked after repeated failures. Try again in";
    ErrUnauthenticated => "Vui lòng đăng nhập.", "Please sign in.";
    ErrForbidden => "Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this.";
    ErrNotFound => "Không tìm thấy dữ liệu.", "Not found.";
    ErrBadRequest => "Yêu cầu không hợp lệ. Vui lòng tải lại trang và thử lại.", "The request could not be read. Reload the page and try again.";
    ErrInternal => "Hệ thống gặp sự cố. Vui lòng thử lại sau.", "Something went wrong on our side. Please try again later.";
    Seconds => "giây", "seconds";
    Minutes => "phút", "minutes";
    FieldRequired => "Trường này là bắt buộc.", "This field is required.";
    FieldTooLong => "Nội dung quá dài.", "This is too long.";
    UsernameLength => "Tên đăng nhập dài 3–40 ký tự.", "A username has 3 to 40 characters.";
    UsernameCharacters => "Tên đăng nhập chỉ gồm chữ a-z, số và . _ -", "A username uses only a-z, digits and . _ -";
    UsernameTaken => "Tên đăng nhập đã được dùng.", "This username is already taken.";
    PasswordTooShort => "Mật khẩu phải có ít nhất 10 ký tự.", "A password has at least 10 characters.";
    PasswordTooLong => "Mật khẩu tối đa 200 ký tự.", "A password has at most 200 characters.";
    PasswordContainsUsername => "Mật khẩu không được chứa tên đăng nhập.", "A password must not contain the username.";
    PasswordsDiffer => "Hai mật khẩu mới không khớp.", "The two new passwords differ.";
    CurrentPasswordWrong => "Mật khẩu hiện tại không đúng.", "The current password is wrong.";
    UnknownRole => "Vai trò không hợp lệ. Cho phép:", "Unknown role. Allowed:";
    UnknownBranch => "Mã đơn vị không hợp lệ. Cho phép:", "Unknown branch code. Allowed:";
    RoleNeedsBranch => "Vai trò này phải gắn với một đơn vị.", "This role must be bound to a branch.";
    RoleIsHqWide => "Vai trò này thuộc Tổng Công ty, không gắn với đơn vị.", "This role is HQ-wide and takes no branch.";
    RoleNotGrantable => "Bạn không thể cấp vai trò này.", "You may not grant this role.";
    BranchOutOfScope => "Bạn chỉ quản lý người dùng của đơn vị mình.", "You manage only users of your own branch.";
    CannotChangeSelf => "Bạn không thể khoá hoặc đổi vai trò của chính mình.", "You cannot deactivate yourself or change your own role.";
    LastAdmin => "Phải còn ít nhất một quản trị hệ thống đang hoạt động.", "At least one active system administrator must remain.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_text_for_a_key() {
        assert_eq!(Key::SignIn.text(Language::Vi), "Đăng nhập");
        assert_eq!(Key::SignIn.text(Language::En), "Sign in");
    }
}
