use leptos::prelude::*;

use crate::i18n::{Key, t};
use crate::request::set_status;

/// What a page shows (with status 403) to a user whose role may not open it.
#[component]
pub fn Forbidden() -> impl IntoView {
    set_status(http::StatusCode::FORBIDDEN);
    view! {
        <section class="panel empty-state" data-testid="forbidden">
            <h1>{t(Key::ForbiddenTitle)}</h1>
            <p>{t(Key::ForbiddenBody)}</p>
            <a class="button" href="/">{t(Key::GoHome)}</a>
        </section>
    }
}
