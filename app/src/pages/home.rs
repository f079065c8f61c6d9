//! The overview page (it grows into the dashboard).

use leptos::prelude::*;

use crate::components::Layout;
use crate::components::layout::role_label;
use crate::i18n::{Key, t};
use crate::page_title;
use crate::request::identity;

#[component]
pub fn HomePage() -> impl IntoView {
    let user = identity().user;
    let body = user.map(|user| {
        let scope = user
            .branch
            .as_ref()
            .map_or_else(|| t(Key::ScopeHq).to_owned(), ToString::to_string);
        view! {
            <h1>{t(Key::Welcome)} ", " {user.display_name.clone()}</h1>
            <p class="lead">{t(Key::HomeIntro)}</p>
            <section class="panel" aria-labelledby="access-heading">
                <h2 id="access-heading">{t(Key::HomeYourAccess)}</h2>
                <dl class="facts">
                    <dt>{t(Key::Username)}</dt>
                    <dd>{user.username.to_string()}</dd>
                    <dt>{t(Key::Role)}</dt>
                    <dd>{t(role_label(user.role))}</dd>
                    <dt>{t(Key::Scope)}</dt>
                    <dd>{scope}</dd>
                </dl>
            </section>
        }
    });
    view! {
        {page_title(Key::NavHome)}
        <Layout current="/">{body}</Layout>
    }
}
