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
