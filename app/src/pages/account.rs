//! The signed-in user's own account: password and language.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::components::{ErrorBanner, Layout, Notice, TextField, submission_error};
use crate::error::AppError;
use crate::i18n::{Key, t};
use crate::page_title;
use crate::pages::query_param;
use crate::request::identity;

/// Switches the portal's language, remembered for the account and in a cookie.
#[server(endpoint = "account/language")]
pub async fn set_language(language: String) -> Result<(), AppError> {
    use crate::domain::Language;
    use crate::request::{LANGUAGE_COOKIE, app_state};

    let language = Language::from_code(&language);
    if let Some(user) = identity().user {
        app_state()?
            .db
            .set_staff_user_language(user.id, language)
            .await?;
    }
    let cookie = format!(
        "{LANGUAGE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
        language.code()
    );
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
    Ok(())
}

/// Changes the user's own password and ends their other sessions.
#[server(endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    use crate::request::{app_state, auth_session, require_user};

    let user = require_user()?;
    let state = app_state()?;
    let epoch = crate::users::change_own_password(
        &state.db,
        &user,
        &current_password,
        &new_password,
        &confirm_password,
    )
    .await?;
    // This session stays signed in under a fresh id; every other one ends.
    auth_session()?
        .renew(user.id, epoch)
        .await
        .map_err(|error| {
            tracing::error!(?error, "renewing the session after a password change");
            AppError::Internal
        })?;
    leptos_axum::redirect("/account?done=password");
    Ok(())
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let error = submission_error::<ChangePassword>();
    let form_errors = error.as_ref().and_then(AppError::form_errors).cloned();
    let banner = error.filter(|error| error.form_errors().is_none());
    let must_change = identity()
        .user
        .is_some_and(|user| user.must_change_password);
    let done = query_param("done").and_then(|done| match done.as_str() {
        "password" => Some(Key::PasswordChanged),
        _ => None,
    });
    view! {
        {page_title(Key::NavAccount)}
        <Layout current="/account">
            <h1>{t(Key::NavAccount)}</h1>
            <Notice message=done />
            {must_change.then(|| view! { <div class="banner banner-warn" role="alert">{t(Key::MustChangePassword)}</div> })}
            <ErrorBanner error=banner />
            <section class="panel narrow" aria-labelledby="password-heading">
                <h2 id="password-heading">{t(Key::ChangePassword)}</h2>
                <form action=ChangePassword::PATH method="post" class="stack">
                    <TextField name="current_password" label=Key::CurrentPassword input_type="password"
                        autocomplete="current-password" required=true errors=form_errors.clone() />
                    <TextField name="new_password" label=Key::NewPassword input_type="password"
                        autocomplete="new-password" required=true help=Key::PasswordRules errors=form_errors.clone() />
                    <TextField name="confirm_password" label=Key::ConfirmPassword input_type="password"
                        autocomplete="new-password" required=true errors=form_errors />
                    <button type="submit" class="button button-primary">{t(Key::ChangePassword)}</button>
                </form>
            </section>
        </Layout>
    }
}
