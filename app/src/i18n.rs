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

thread_local! {
    /// The language of the request whose handler this thread is polling right
    /// now (set by [`InLanguage`] around each poll, and only then).
    static POLLED_LANGUAGE: std::cell::Cell<Option<Language>> = const { std::cell::Cell::new(None) };
}

/// The language of the page being rendered: the polled request's, or else the
/// reactive context's. Every text of a page asks, and a context lookup walks
/// the reactive owner tree up to the shell — 4–6 % of a list page's CPU.
pub fn use_language() -> Language {
    POLLED_LANGUAGE
        .with(std::cell::Cell::get)
        .or_else(use_context::<Language>)
        .unwrap_or_default()
}

/// A request's handler, with its language readable by [`use_language`] while
/// it is polled. A poll runs only this request's code on this thread, and the
/// previous value is put back after it; a task the handler spawns is polled
/// apart and reads the context instead.
pub struct InLanguage<F> {
    language: Language,
    handler: std::pin::Pin<Box<F>>,
}

impl<F: std::future::Future> InLanguage<F> {
    pub fn new(language: Language, handler: F) -> InLanguage<F> {
        InLanguage {
            language,
            handler: Box::pin(handler),
        }
    }
}

impl<F: std::future::Future> std::future::Future for InLanguage<F> {
    type Output = F::Output;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        /// Puts the previous value back, also when the handler panics.
        struct Restore(Option<Language>);
        impl Drop for Restore {
            fn drop(&mut self) {
                POLLED_LANGUAGE.set(self.0);
            }
        }
        let _restore = Restore(POLLED_LANGUAGE.replace(Some(self.language)));
        self.handler.as_mut().poll(cx)
    }
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
    ErrConflict => "Dữ liệu vừa được người khác thay đổi. Vui lòng tải lại trang.", "Someone else changed this first. Reload the page.";
    TransitionNotAllowed => "Không thể chuyển phiếu từ trạng thái hiện tại sang trạng thái này.", "The ticket cannot move from its current status to this one.";
    TransitionNeedsSolution => "Cần nhập nội dung phản hồi cho khách hàng trước khi chuyển sang Đã xử lý.", "Write the solution for the customer before marking the ticket processed.";
    TransitionFinal => "Phiếu đã hủy không thể thay đổi trạng thái.", "A cancelled ticket's status cannot change.";
    StatusNew => "Mới", "New";
    StatusNotProcessed => "Chưa xử lý", "Not processed";
    StatusProcessing => "Đang xử lý", "Processing";
    StatusProcessed => "Đã xử lý", "Processed";
    StatusClosed => "Đóng", "Closed";
    StatusReopened => "Xử lý lại", "Reopened";
    StatusCancelled => "Hủy", "Cancelled";
    SourceApp => "App CSKH", "Customer app";
    SourceApi => "API", "API";
    SourceStaff => "Nhân viên", "Staff";
    KindNewConnection => "Đăng ký gắn mới ĐHN", "New connection";
    KindMeterReading => "Báo chỉ số nước", "Meter reading";
    KindIncident => "Báo sự cố", "Incident";
    KindQuota => "Đăng ký định mức", "Quota registration";
    KindRelocation => "Nâng dời ĐHN", "Meter relocation";
    KindReinstatement => "Tái lập danh bộ", "Contract reinstatement";
    KindTransfer => "Sang tên ĐHN", "Ownership transfer";
    KindChangeOfUse => "Đổi mục đích sử dụng", "Change of water use";
    KindOther => "Yêu cầu khác", "Other request";
    UnknownKind => "Loại yêu cầu không hợp lệ.", "Unknown kind of request.";
    UnknownChoice => "Giá trị không hợp lệ. Cho phép:", "Not an allowed value. Allowed:";
    NumberOutOfRange => "Phải là số trong khoảng", "Must be a number within";
    ContractCodeInvalid => "Mã danh bộ gồm đúng 11 chữ số.", "A contract code has exactly 11 digits.";
    ContractOutOfScope => "Mã danh bộ này thuộc đơn vị khác.", "This contract code belongs to another branch.";
    PhoneInvalid => "Số điện thoại viết dạng 0xxxxxxxxx, 84xxxxxxxxx hoặc +84xxxxxxxxx.", "Write the phone as 0xxxxxxxxx, 84xxxxxxxxx or +84xxxxxxxxx.";
    EmailInvalid => "Email không hợp lệ.", "Not a valid email address.";
    ApiBranchOnlyForBranchKind => "Chỉ tài khoản loại branch mới gắn với một đơn vị.", "Only accounts of kind branch are bound to a branch.";
    ApiDocsTitle => "Tài liệu API tích hợp", "Partner API reference";
    ApiDocsLink => "Tài liệu API tích hợp", "Partner API reference";
    ApiVersion => "Phiên bản", "Version";
    ApiDownloadDocument => "Tải tài liệu OpenAPI (JSON)", "Download the OpenAPI document (JSON)";
    ApiEndpoints => "Các điểm cuối", "Endpoints";
    ApiParameters => "Tham số", "Parameters";
    ApiRequestBody => "Dữ liệu gửi", "Request body";
    ApiResponses => "Phản hồi", "Responses";
    ApiSuccessBody => "Dữ liệu trả về khi thành công", "Success body";
    ApiField => "Trường", "Field";
    ApiType => "Kiểu", "Type";
    ApiRequired => "Bắt buộc", "Required";
    ApiDescription => "Mô tả", "Description";
    ApiIn => "Vị trí", "In";
    ApiStatus => "Mã", "Status";
    Yes => "Có", "Yes";
    NavApiAccounts => "Tài khoản API", "API accounts";
    ApiAccountsTitle => "Tài khoản API", "API accounts";
    ApiAccountsIntro => "Tài khoản để phần mềm đối tác gọi REST API: đăng nhập bằng mật khẩu để nhận token.", "Accounts through which partner software calls the REST API: each signs in with its password to get tokens.";
    ApiAccountsIntroBranch => "Tài khoản API của phần mềm thuộc đơn vị bạn.", "The API accounts of your branch's software.";
    ApiKind => "Loại", "Kind";
    ApiKindApp => "App CSKH (app)", "Customer app (app)";
    ApiKindBranch => "Phần mềm đơn vị (branch)", "Branch software (branch)";
    ApiKindHq => "TCRM liên thông (hq)", "TCRM federation (hq)";
    ApiKindHelp => "app: máy chủ App CSKH, phiếu của mọi đơn vị. branch: phần mềm của một đơn vị, chỉ phiếu của đơn vị đó. hq: TCRM của Tổng Công ty và đơn vị gọi nhau.", "app: the customer app's server, tickets of every branch. branch: one member company's software, that branch's tickets only. hq: the TCRM of HQ and of a branch calling each other.";
    ApiNoBranch => "Không gắn đơn vị (app, hq)", "No branch (app, hq)";
    ApiLastUsed => "Dùng gần nhất", "Last used";
    ApiLiveTokens => "Token còn hiệu lực", "Live tokens";
    NoApiAccounts => "Chưa có tài khoản API nào.", "No API accounts yet.";
    NewApiAccount => "Tạo tài khoản API", "New API account";
    ApiPasswordConfirm => "Nhập lại mật khẩu", "Confirm the password";
    ApiPasswordHelp => "Để trống cả hai ô để hệ thống tạo một mật khẩu mạnh; mật khẩu đó chỉ hiện một lần.", "Leave both empty to have a strong password generated; it is shown only once.";
    ApiAccountCreated => "Đã tạo tài khoản API.", "API account created.";
    ApiGeneratedPassword => "Mật khẩu được tạo, chỉ hiện lần này. Hãy sao chép và gửi cho đối tác qua kênh an toàn:", "The generated password, shown only this once. Copy it and hand it to the partner over a safe channel:";
    ApiRotatePassword => "Đổi mật khẩu", "Change the password";
    ApiRotateWarning => "Mọi token hiện có của tài khoản ngừng hoạt động ngay; phần mềm đối tác phải đăng nhập lại bằng mật khẩu mới.", "Every token of the account stops working at once; the partner's software must sign in again with the new password.";
    ApiPasswordRotated => "Đã đổi mật khẩu; mọi token cũ đã ngừng hoạt động.", "Password changed; every earlier token has stopped working.";
    ApiDeactivateWarning => "Khoá tài khoản thu hồi mọi token của nó; mở khoá không khôi phục các token đó.", "Deactivating revokes all its tokens; reactivating does not bring them back.";
    ApiAccountDeactivated => "Đã khoá tài khoản API; mọi token đã ngừng hoạt động.", "API account deactivated; all its tokens have stopped working.";
    ApiAccountReactivated => "Đã mở khoá tài khoản API.", "API account reactivated.";
    ApiAccountUnknown => "Không có tài khoản API nào tên này.", "No API account has this username.";
    NavBranches => "Kết nối đơn vị", "Branch links";
    BranchSettingsTitle => "Kết nối TCRM của các đơn vị", "Branch TCRM connections";
    BranchSettingsIntro => "Tổng Công ty chuyển phiếu yêu cầu sang TCRM riêng của từng đơn vị qua API. Với mỗi đơn vị: địa chỉ môi trường chính thức và UAT, môi trường đang dùng, và tài khoản API (loại hq) mà đơn vị cấp cho Tổng Công ty. Phiếu và các thay đổi chỉ được gửi khi kết nối được bật.", "HQ forwards tickets to each branch's own TCRM through its API. For each branch: the production and UAT addresses, which one is in use, and the API account (kind hq) the branch issued to HQ. Tickets and their changes are sent only while the link is enabled.";
    ProductionBaseUrl => "Địa chỉ TCRM chính thức (production)", "Production base URL";
    UatBaseUrl => "Địa chỉ TCRM thử nghiệm (UAT)", "UAT base URL";
    BaseUrlHelp => "Dạng https://tcrm.donvi.vn — không có khoảng trắng; để trống nếu chưa có.", "Like https://tcrm.branch.vn — no spaces; empty when there is none.";
    RemoteEnvironment => "Môi trường đang dùng", "Environment in use";
    EnvironmentProduction => "Chính thức (production)", "Production";
    EnvironmentUat => "Thử nghiệm (UAT)", "UAT (testing)";
    RemoteEnabled => "Bật gửi phiếu sang TCRM của đơn vị", "Send tickets to the branch's TCRM";
    RemoteUsername => "Tài khoản API tại đơn vị", "API account at the branch";
    RemotePassword => "Mật khẩu tài khoản API", "API account password";
    RemotePasswordHelp => "Không bao giờ hiển thị lại. Để trống để giữ mật khẩu đã lưu.", "Never shown again. Leave empty to keep the stored one.";
    RemotePasswordStored => "Đã lưu một mật khẩu.", "A password is stored.";
    RemotePasswordNone => "Chưa lưu mật khẩu.", "No password stored.";
    RemoteOn => "Đang gửi", "Sending";
    RemoteOff => "Chưa bật", "Not enabled";
    TestConnection => "Thử kết nối", "Test connection";
    RemoteSaved => "Đã lưu cấu hình kết nối.", "Connection settings saved.";
    RemoteTestOk => "Kết nối thành công: đã đăng nhập vào API của đơn vị tại", "The connection works: signed in to the branch's API at";
    RemoteTestFailed => "Kết nối thất bại:", "The connection failed:";
    RemoteRequired => "Cần có để bật gửi phiếu hoặc thử kết nối.", "Needed to enable sending or to test the connection.";
    RemotePasswordUnreadable => "Không mở được mật khẩu đã lưu bằng khoá của máy chủ này; hãy nhập lại.", "The stored password cannot be opened with this server's key; type it again.";
    UrlSpaces => "Địa chỉ không được chứa khoảng trắng (kể cả ở đầu hoặc cuối).", "The address must not contain spaces (at either end included).";
    UrlScheme => "Địa chỉ phải bắt đầu bằng http:// hoặc https://.", "The address must start with http:// or https://.";
    UrlHost => "Sau http(s):// cần tên máy chủ hợp lệ (và cổng, nếu có).", "A valid host name (and port, if any) must follow http(s)://.";
    UrlExtra => "Chỉ nhập địa chỉ gốc, không kèm tài khoản, ?truy vấn hay #neo.", "Give the base address only: no credentials, ?query or #fragment.";
    NavSync => "Đồng bộ", "Sync";
    SyncTitle => "Đồng bộ liên thông", "Federation sync";
    SyncIntro => "Thông điệp mang phiếu và các thay đổi sang TCRM khác (của đơn vị hoặc Tổng Công ty). Bên dưới là các thông điệp lỗi và các thông điệp chờ gửi quá 10 phút.", "Messages carrying tickets and their changes to another TCRM (a branch's or HQ's). Listed below: failed ones, and pending ones waiting more than 10 minutes.";
    SyncIntroBranch => "Chỉ gồm thông điệp về phiếu của đơn vị bạn.", "Only messages about your branch's tickets.";
    SyncProblems => "Cần xử lý", "Needing attention";
    SyncNoProblems => "Không có thông điệp lỗi hay chờ quá lâu.", "No failed or long-waiting messages.";
    SyncTruncated => "Chỉ hiển thị 200 thông điệp cũ nhất.", "Only the 200 oldest are shown.";
    SyncPanel => "Đồng bộ", "Sync";
    SyncPeer => "Nơi nhận", "Peer";
    SyncKind => "Loại", "Kind";
    SyncKindCreate => "Tạo phiếu", "Create";
    SyncKindUpdate => "Cập nhật", "Update";
    SyncPending => "Đang chờ gửi", "Pending";
    SyncDelivered => "Đã gửi", "Delivered";
    SyncFailed => "Lỗi", "Failed";
    SyncAttempts => "Số lần gửi", "Attempts";
    SyncLastError => "Lỗi gần nhất", "Last error";
    SyncPeerStatus => "Mã HTTP", "HTTP status";
    SyncNextAttempt => "Lần gửi tới", "Next attempt";
    SyncDeliveredAt => "Đã gửi lúc", "Delivered at";
    SyncRetryNow => "Gửi lại ngay", "Retry now";
    SyncRetried => "Thông điệp sẽ được gửi lại ngay.", "The message will be sent again now.";
    PeerHq => "Tổng Công ty", "HQ";
    DateInvalid => "Ngày viết dạng dd/mm/yyyy.", "Write the date as dd/mm/yyyy.";
    TaxCodeInvalid => "Mã số thuế gồm 10 chữ số (hoặc 10-3 cho chi nhánh).", "A tax code has 10 digits (or 10-3 for a branch office).";
    CitizenIdInvalid => "Số CCCD gồm 12 chữ số (hoặc CMND 9 chữ số).", "A citizen id has 12 digits (or 9 for the old CMND).";
    QuotaNeedsMembers => "Khai báo ít nhất một nhân khẩu.", "Declare at least one household member.";
    AssigneeOutOfScope => "Người này không xử lý phiếu của đơn vị này.", "This person does not work this branch's tickets.";
    ExportCsv => "Xuất CSV", "Export CSV";
    ExportXlsx => "Xuất Excel", "Export Excel";
    SlaTitle => "Thời hạn xử lý (SLA)", "Service levels (SLA)";
    SlaIntro => "Số giờ được phép xử lý theo loại yêu cầu và mức ưu tiên; dùng để tính hạn xử lý khi tạo phiếu.", "Hours allowed per request type and priority; they set a new ticket's due date.";
    SlaInvalid => "Mỗi ô là số giờ nguyên từ 1 đến 8760.", "Every cell is a whole number of hours from 1 to 8760.";
    BulkNothingSelected => "Chưa chọn phiếu nào.", "No ticket selected.";
    BulkTooMany => "Mỗi lần xử lý tối đa 500 phiếu.", "At most 500 tickets at a time.";
    BulkActions => "Xử lý hàng loạt các phiếu đã chọn", "Bulk action on the selected tickets";
    BulkAction => "Thao tác", "Action";
    BulkValue => "Giá trị mới", "New value";
    BulkApply => "Áp dụng cho phiếu đã chọn", "Apply to selected";
    BulkDone => "Đã cập nhật", "Updated";
    BulkRefused => "Không cập nhật được", "Not updated";
    Select => "Chọn", "Select";
    SetStatus => "Đổi trạng thái", "Set status";
    SetPriority => "Đổi mức ưu tiên", "Set priority";
    SetDepartment => "Chuyển phòng ban", "Set department";
    Attachments => "Tệp đính kèm", "Attachments";
    Upload => "Tải lên", "Upload";
    UploadHelp => "Ảnh (JPEG, PNG, GIF, WEBP) hoặc PDF, tối đa 10 MB.", "Images (JPEG, PNG, GIF, WEBP) or PDF, up to 10 MB.";
    Uploaded => "Đã tải tệp lên.", "File uploaded.";
    UploadEmpty => "Chưa chọn tệp.", "No file was chosen.";
    UploadTooBig => "Tệp lớn hơn 10 MB.", "The file is larger than 10 MB.";
    UploadType => "Chỉ nhận ảnh JPEG, PNG, GIF, WEBP hoặc PDF (kiểm tra theo nội dung tệp).", "Only JPEG, PNG, GIF, WEBP images or PDF are accepted (checked by content).";
    EventAttachment => "đính kèm tệp", "attached a file";
    ChooseFile => "Chọn tệp", "Choose a file";
    OpenTickets => "Phiếu đang mở", "Open tickets";
    OpenByStatus => "Phiếu đang mở theo trạng thái", "Open tickets by status";
    CreatedPerDay => "Phiếu tạo mỗi ngày, 30 ngày qua, theo đơn vị", "Tickets created per day, last 30 days, by branch";
    MyQueue => "Việc của tôi", "My queue";
    Count => "Số phiếu", "Tickets";
    Day => "Ngày", "Day";
    ShowNumbers => "Xem số liệu", "Show the numbers";
    CustomerName => "Họ tên khách hàng", "Customer name";
    ContractCodes => "Mã danh bộ của khách hàng", "The customer's contract codes";
    RegisteredPersons => "Số nhân khẩu định mức", "Registered persons";
    ViewCustomer => "Xem khách hàng", "View customer";
    NavTickets => "Phiếu yêu cầu", "Tickets";
    NewTicket => "Tạo phiếu", "New ticket";
    Search => "Tìm kiếm", "Search";
    SearchHelp => "Mã phiếu, mã danh bộ, số điện thoại, tên, địa chỉ, nội dung — gõ không dấu cũng được.", "Ticket code, contract code, phone, name, address or content — accents optional.";
    AllStatuses => "Tất cả", "All";
    RequestType => "Loại yêu cầu", "Request type";
    Priority => "Mức ưu tiên", "Priority";
    Department => "Phòng ban xử lý", "Department";
    Assignee => "Người xử lý", "Assignee";
    Source => "Nguồn", "Source";
    CreatedFrom => "Tạo từ ngày", "Created from";
    CreatedTo => "Đến ngày", "Created to";
    OverdueOnly => "Chỉ phiếu quá hạn", "Overdue only";
    MineOnly => "Phiếu giao cho tôi", "Assigned to me";
    Overdue => "Quá hạn", "Overdue";
    TicketCode => "Mã phiếu", "Ticket";
    Created => "Ngày tạo", "Created";
    Customer => "Khách hàng", "Customer";
    ContractCodeLabel => "Mã danh bộ", "Contract code";
    Phone => "Số điện thoại", "Phone";
    Email => "Email", "Email";
    Address => "Địa chỉ", "Address";
    WardCode => "Mã phường/xã", "Ward code";
    DistrictCode => "Mã quận/huyện", "District code";
    Content => "Nội dung yêu cầu", "Request";
    DueDate => "Hạn xử lý", "Due date";
    DueDateHelp => "dd/mm/yyyy — để trống để tính theo SLA.", "dd/mm/yyyy — leave empty to use the SLA.";
    NextPage => "Trang sau", "Next page";
    FirstPage => "Trang đầu", "First page";
    NoTickets => "Không có phiếu nào phù hợp.", "No matching tickets.";
    ChooseKind => "Loại yêu cầu", "Kind of request";
    LookUp => "Tra cứu", "Look up";
    CustomerFound => "Khách hàng của mã danh bộ", "Customer of this contract";
    ContractNotFound => "Không tìm thấy mã danh bộ này; nhập thông tin khách hàng bên dưới.", "Contract code not found; type the customer's details below.";
    Reading => "Chỉ số nước", "Meter reading";
    Reroute => "Chuyển phiếu sang đơn vị khác", "Re-route to another branch";
    ChooseBranch => "chọn đơn vị", "choose a branch";
    RouteTicket => "Phân phiếu cho đơn vị", "Route to a branch";
    RerouteReason => "Lý do chuyển", "Reason";
    RerouteClosed => "Chỉ chuyển được phiếu đang mở; phiếu đã xử lý, đã đóng hoặc đã huỷ ở lại đơn vị cũ.", "Only open tickets can be re-routed; processed, closed or cancelled ones stay where they are.";
    RerouteSameBranch => "Phiếu đã thuộc đơn vị này.", "The ticket already belongs to this branch.";
    EventReroute => "chuyển đơn vị", "re-routed the ticket";
    EventRoute => "phân phiếu cho đơn vị", "routed the ticket";
    Unrouted => "Chưa phân đơn vị", "Unrouted";
    UnroutedHelp => "Để trống nếu chưa biết đơn vị: phiếu chờ Tổng công ty phân cho đơn vị.", "Leave empty when the branch is unknown: the ticket waits for HQ to route it.";
    UnroutedQueue => "Phiếu chờ phân đơn vị", "Tickets waiting to be routed";
    ReadingSource => "Cách đọc chỉ số", "How the reading was taken";
    ReadByBot => "AI đọc từ ảnh, độ chính xác", "Read from the photo by the AI bot, confidence";
    ReadByHand => "Khách hàng nhập tay", "Typed by hand";
    Month => "Tháng", "Month";
    Year => "Năm", "Year";
    IncidentType => "Loại sự cố", "Incident type";
    Phenomena => "Hiện tượng (id_phenomena)", "Phenomenon (id_phenomena)";
    Latitude => "Vĩ độ", "Latitude";
    Longitude => "Kinh độ", "Longitude";
    CustomerType => "Loại khách hàng", "Customer type";
    Household => "Hộ gia đình", "Household";
    Business => "Doanh nghiệp", "Business";
    TaxCode => "Mã số thuế", "Tax code";
    LegalRepresentative => "Người đại diện pháp luật", "Legal representative";
    ContactPersonName => "Người liên hệ", "Contact person";
    ContactPersonPhone => "Điện thoại người liên hệ", "Contact person's phone";
    ContactPersonEmail => "Email người liên hệ", "Contact person's email";
    ContactAddress => "Địa chỉ liên hệ", "Contact address";
    Members => "Nhân khẩu đăng ký định mức", "Household members (quota)";
    MemberCitizenId => "Số CCCD", "Citizen id";
    MemberName => "Họ tên trên CCCD", "Name on the id card";
    MemberAddress => "Địa chỉ trên CCCD", "Address on the id card";
    AddressType => "Loại địa chỉ", "Address type";
    Permanent => "Thường trú", "Permanent";
    Temporary => "Tạm trú", "Temporary";
    TicketCreated => "Đã tạo phiếu.", "Ticket created.";
    ChangeStatus => "Chuyển trạng thái", "Change status";
    NoTransitions => "Phiếu đã ở trạng thái cuối.", "The ticket is in a final status.";
    Assign => "Phân công", "Assign";
    Unassigned => "Chưa phân công", "Unassigned";
    Solution => "Phản hồi cho khách hàng", "Solution for the customer";
    SolutionHelp => "Khách hàng thấy nội dung này trên App CSKH.", "The customer sees this in the app.";
    InternalNote => "Ghi chú nội bộ", "Internal note";
    InternalNoteHelp => "Không hiển thị cho khách hàng.", "Never shown to the customer.";
    AddNote => "Thêm ghi chú", "Add note";
    Timeline => "Lịch sử xử lý", "Timeline";
    EventCreated => "tạo phiếu", "created the ticket";
    EventStatus => "đổi trạng thái", "changed the status";
    EventAssign => "phân công", "assigned";
    EventPriority => "đổi mức ưu tiên", "changed the priority";
    EventDue => "đổi hạn xử lý", "changed the due date";
    EventSolution => "cập nhật phản hồi", "wrote the solution";
    EventNote => "ghi chú nội bộ", "added an internal note";
    TicketSaved => "Đã cập nhật phiếu.", "Ticket updated.";
    Details => "Thông tin phiếu", "Details";
    Apply => "Áp dụng", "Apply";
    AnyValue => "Tất cả", "Any";
    ReadOnlyTicket => "Bạn chỉ có quyền xem phiếu này.", "You may only view this ticket.";
    LastAdmin => "Phải còn ít nhất một quản trị hệ thống đang hoạt động.", "At least one active system administrator must remain.";
    NavReadingSchedules => "Lịch ghi chỉ số", "Reading schedules";
    ReadingSchedulesTitle => "Lịch ghi chỉ số nước", "Meter-reading schedules";
    ReadingSchedulesIntro => "Khách hàng chỉ báo được chỉ số nước trên App CSKH trong các ngày ghi chỉ số của đơn vị quản lý danh bộ. Mỗi đợt thuộc một kỳ hóa đơn; các ngày tính theo giờ Việt Nam, gồm cả ngày đầu và ngày cuối.", "Customers can report their meter reading in the app only on the reading days of the branch holding their contract. Each window belongs to a billing period; days are Vietnam calendar days, first and last included.";
    BillingPeriod => "Kỳ hóa đơn", "Billing period";
    PeriodMonth => "Tháng của kỳ", "Period month";
    PeriodYear => "Năm của kỳ", "Period year";
    WindowStart => "Từ ngày", "First day";
    WindowEnd => "Đến hết ngày", "Last day";
    DayFormatHelp => "Dạng dd/mm/yyyy.", "As dd/mm/yyyy.";
    WindowDays => "Số ngày", "Days";
    Note => "Ghi chú", "Note";
    Show => "Xem", "Show";
    Cancel => "Hủy bỏ", "Cancel";
    Delete => "Xóa", "Delete";
    NewReadingWindow => "Thêm đợt ghi chỉ số", "Add a reading window";
    EditReadingWindow => "Sửa đợt ghi chỉ số", "Edit the reading window";
    NoReadingWindows => "Đơn vị chưa có đợt ghi chỉ số nào sắp tới hoặc gần đây.", "The branch has no upcoming or recent reading window.";
    WindowCreated => "Đã thêm đợt ghi chỉ số.", "Reading window added.";
    WindowDeleted => "Đã xóa đợt ghi chỉ số.", "Reading window deleted.";
    WindowOpenNow => "Đang mở", "Open now";
    WindowUpcoming => "Sắp tới", "Upcoming";
    WindowPast => "Đã qua", "Past";
    WindowEndBeforeStart => "Ngày cuối không được trước ngày đầu.", "The last day cannot come before the first.";
    WindowTooLong => "Một đợt dài tối đa 31 ngày.", "A window lasts at most 31 days.";
    WindowOverlaps => "Trùng ngày với đợt đã có:", "Shares days with an existing window:";
    DateOutOfRange => "Ngày phải thuộc các năm 2000–2100.", "The date must fall within the years 2000–2100.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_polled_request_reads_its_own_language_and_no_other() {
        use futures::FutureExt;
        // Two requests' handlers, polled in turns on this thread, each reading
        // the language between two polls.
        let handler = || {
            let mut first_poll = true;
            std::future::poll_fn(move |cx| {
                if std::mem::take(&mut first_poll) {
                    cx.waker().wake_by_ref();
                    return std::task::Poll::Pending;
                }
                std::task::Poll::Ready(t(Key::SignIn))
            })
        };
        let mut english = InLanguage::new(Language::En, handler());
        let mut vietnamese = InLanguage::new(Language::Vi, handler());
        assert!(
            english
                .poll_unpin(&mut std::task::Context::from_waker(std::task::Waker::noop()))
                .is_pending()
        );
        assert!(
            vietnamese
                .poll_unpin(&mut std::task::Context::from_waker(std::task::Waker::noop()))
                .is_pending()
        );
        assert_eq!(
            english.poll_unpin(&mut std::task::Context::from_waker(std::task::Waker::noop())),
            std::task::Poll::Ready("Sign in")
        );
        assert_eq!(
            vietnamese.poll_unpin(&mut std::task::Context::from_waker(std::task::Waker::noop())),
            std::task::Poll::Ready("Đăng nhập")
        );
        // Outside any poll, nothing is left set.
        assert_eq!(POLLED_LANGUAGE.with(std::cell::Cell::get), None);
    }

    #[test]
    fn both_languages_have_text_for_a_key() {
        assert_eq!(Key::SignIn.text(Language::Vi), "Đăng nhập");
        assert_eq!(Key::SignIn.text(Language::En), "Sign in");
    }
}
