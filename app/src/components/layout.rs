//! The frame around every signed-in page: skip link, header, navigation, main.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::domain::Role;
use crate::i18n::{Key, t, use_language};
use crate::pages::account::SetLanguage;
use crate::pages::login::SignOut;
use crate::request::identity;

pub fn role_label(role: Role) -> Key {
    match role {
        Role::Admin => Key::RoleAdmin,
        Role::HqStaff => Key::RoleHqStaff,
        Role::BranchStaff => Key::RoleBranchStaff,
        Role::CampaignManager => Key::RoleCampaignManager,
        Role::BranchAdmin => Key::RoleBranchAdmin,
        Role::Executive => Key::RoleExecutive,
    }
}

/// A form that flips the portal's language.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let other = use_language().other();
    view! {
        <form action=SetLanguage::PATH method="post" class="inline-form">
            <input type="hidden" name="language" value=other.code() />
            <button type="submit" class="link-button" lang=other.code() aria-label=t(Key::SwitchLanguageLabel)>
                {t(Key::SwitchLanguage)}
            </button>
        </form>
    }
}

/// The page frame; `current` marks the active navigation entry.
#[component]
pub fn Layout(current: &'static str, children: Children) -> impl IntoView {
    let user = identity().user;
    let nav = user.as_ref().map(|user| {
        let mut entries = vec![("/", Key::NavHome), ("/tickets", Key::NavTickets)];
        if matches!(user.role, Role::Admin | Role::BranchAdmin) {
            entries.push(("/admin/users", Key::NavUsers));
            entries.push(("/admin/reading-schedules", Key::NavReadingSchedules));
            entries.push(("/admin/api-accounts", Key::NavApiAccounts));
            if user.role == Role::Admin && user.branch.is_none() {
                entries.push(("/admin/branches", Key::NavBranches));
            }
            entries.push(("/admin/sync", Key::NavSync));
        }
        entries.push(("/reference", Key::NavReference));
        entries.push(("/account", Key::NavAccount));
        entries
            .into_iter()
            .map(|(href, key)| {
                let is_current = href == current;
                view! {
                    <li>
                        <a href=href aria-current=is_current.then_some("page")>{t(key)}</a>
                    </li>
                }
            })
            .collect_view()
    });
    let who = user.as_ref().map(|user| {
        let scope = user
            .branch
            .as_ref()
            .map_or_else(|| t(Key::ScopeHq).to_owned(), ToString::to_string);
        view! {
            <div class="who">
                <span class="who-name">{user.display_name.clone()}</span>
                <span class="who-meta">{t(role_label(user.role))} " · " {scope}</span>
            </div>
        }
    });
    view! {
        <a class="skip-link" href="#main">{t(Key::SkipToContent)}</a>
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true"><img src="/favicon.svg" alt="" width="22" height="22" /></span>
                <span>{t(Key::AppName)}</span>
            </a>
            <nav aria-label=t(Key::MainNavigation)>
                <ul class="nav">{nav}</ul>
            </nav>
            <div class="topbar-end">
                {who}
                <LanguageSwitch />
                {user.is_some().then(|| view! {
                    <form action=SignOut::PATH method="post" class="inline-form">
                        <button type="submit" class="button button-quiet">{t(Key::SignOut)}</button>
                    </form>
                })}
            </div>
        </header>
        <main id="main" class="content" tabindex="-1">{children()}</main>
        <footer class="footer">
            <p>{t(Key::AppTagline)}</p>
        </footer>
    }
}
