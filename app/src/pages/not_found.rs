use leptos::prelude::*;

use crate::components::Layout;
use crate::i18n::{Key, t};
use crate::page_title;
use crate::request::set_status;

/// The page for an unknown address.
#[component]
pub fn NotFound() -> impl IntoView {
    set_status(http::StatusCode::NOT_FOUND);
    view! {
        {page_title(Key::NotFoundTitle)}
        <Layout current="">
            <section class="panel empty-state">
                <h1>{t(Key::NotFoundTitle)}</h1>
                <p>{t(Key::NotFoundBody)}</p>
                <a class="button" href="/">{t(Key::GoHome)}</a>
            </section>
        </Layout>
    }
}
