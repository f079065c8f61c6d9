//! Sign-in and sign-out.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::components::{ErrorBanner, TextField, submission_error};
use crate::error::AppError;
use crate::i18n::{Key, t};
use crate::page_title;
use crate::pages::query_param;

/// Checks the credentials and signs the session in, then goes to `next`.
#[server(endpoint = "session/sign-in")]
pub async fn sign_in(username: String, password: String, next: String) -> Result<(), AppError> {
    use crate::auth::{SignInAttempt, sign_in};
    use crate::request::{app_state, auth_session, identity, safe_next};

    let state = app_state()?;
    let session = auth_session()?;
    let attempt = SignInAttempt {
        username: &username,
        password: &password,
        address: identity().address,
    };
    sign_in(&state.db, &session, attempt).await?;
    leptos_axum::redirect(safe_next(&next));
    Ok(())
}

/// Ends the session.
#[server(endpoint = "session/sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    let session = crate::request::auth_session()?;
    session.sign_out().await.map_err(|error| {
        tracing::error!(?error, "ending a session");
        AppError::Internal
    })?;
    leptos_axum::redirect("/login");
    Ok(())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let error = submission_error::<SignIn>();
    let next = query_param("next").unwrap_or_else(|| "/".to_owned());
    view! {
        {page_title(Key::SignIn)}
        <a class="skip-link" href="#main">{t(Key::SkipToContent)}</a>
        <main id="main" class="login">
            <div class="login-card">
                <div class="login-brand">
                    <span class="brand-mark" aria-hidden="true"><img src="/favicon.svg" alt="" width="22" height="22" /></span>
                    <div>
                        <h1>{t(Key::SignInTitle)}</h1>
                        <p class="muted">{t(Key::AppTagline)}</p>
                    </div>
                </div>
                <ErrorBanner error=error />
                <form action=SignIn::PATH method="post" class="stack">
                    <input type="hidden" name="next" value=next />
                    <TextField name="username" label=Key::Username autocomplete="username" required=true autofocus=true />
                    <TextField name="password" label=Key::Password input_type="password" autocomplete="current-password" required=true />
                    <button type="submit" class="button button-primary">{t(Key::SignIn)}</button>
                </form>
                <div class="login-footer">
                    <crate::components::layout::LanguageSwitch />
                </div>
            </div>
        </main>
    }
}
