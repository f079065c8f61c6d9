//! One staff account: its profile, role and scope, activation and password reset.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use crate::auth::{Permission, authorize};
use crate::components::layout::role_label;
use crate::components::{ErrorBanner, Layout, Notice, SelectField, TextField, submission_error};
use crate::domain::UserId;
use crate::error::AppError;
use crate::i18n::{Key, t};
use crate::page_title;
use crate::pages::forbidden::Forbidden;
use crate::pages::users::{branch_options, role_options};
use crate::pages::{or_error_banner, query_param};
use crate::request::{app_state, identity, require_user};

fn parse_id(id: &str) -> Result<UserId, AppError> {
    crate::request::id_param(id).map(UserId)
}

/// Changes an account's display name, role and scope.
#[server(endpoint = "users/update")]
pub async fn update_user(
    id: String,
    display_name: String,
    role: String,
    branch: String,
) -> Result<(), AppError> {
    let actor = require_user()?;
    let id = parse_id(&id)?;
    let input = crate::users::UserInput {
        username: String::new(),
        display_name,
        role,
        branch,
    };
    crate::users::update_user(&app_state()?.db, &actor, id, &input).await?;
    leptos_axum::redirect(&format!("/admin/users/{id}?done=saved"));
    Ok(())
}

/// Deactivates or reactivates an account.
#[server(endpoint = "users/active")]
pub async fn set_user_active(id: String, active: String) -> Result<(), AppError> {
    let actor = require_user()?;
    let id = parse_id(&id)?;
    crate::users::set_user_active(&app_state()?.db, &actor, id, active == "true").await?;
    leptos_axum::redirect(&format!("/admin/users/{id}?done=saved"));
    Ok(())
}

/// Sets a new password the user must change at next sign-in.
#[server(endpoint = "users/reset-password")]
pub async fn reset_user_password(id: String, password: String) -> Result<(), AppError> {
    let actor = require_user()?;
    let id = parse_id(&id)?;
    crate::users::reset_user_password(&app_state()?.db, &actor, id, &password).await?;
    leptos_axum::redirect(&format!("/admin/users/{id}?done=reset"));
    Ok(())
}

#[component]
pub fn UserEditPage() -> impl IntoView {
    let Some(actor) = identity().user else {
        return ().into_any();
    };
    if authorize(&actor, Permission::ViewUsers, None).is_err() {
        return view! {
            {page_title(Key::ForbiddenTitle)}
            <Layout current="/admin/users"><Forbidden /></Layout>
        }
        .into_any();
    }
    let id = use_params_map()
        .get_untracked()
        .get("id")
        .unwrap_or_default();
    let update_error = submission_error::<UpdateUser>();
    let reset_error = submission_error::<ResetUserPassword>();
    let activate_error = submission_error::<SetUserActive>();
    let done = query_param("done").and_then(|done| match done.as_str() {
        "created" => Some(Key::UserCreated),
        "saved" => Some(Key::UserSaved),
        "reset" => Some(Key::PasswordReset),
        _ => None,
    });

    let content = Suspend::new(async move {
        let result: Result<AnyView, AppError> = async move {
            let state = app_state()?;
            let user_id = parse_id(&id)?;
            let user = crate::users::managed_user(&state.db, &actor, user_id).await?;
            let branches = state.db.list_branches().await?;
            let update_errors = update_error.as_ref().and_then(AppError::form_errors).cloned();
            let reset_errors = reset_error.as_ref().and_then(AppError::form_errors).cloned();
            let activate_message = activate_error
                .as_ref()
                .and_then(AppError::form_errors)
                .and_then(|errors| errors.fields.first())
                .map(|error| t(error.message));
            let scope = user.branch.as_ref().map_or_else(String::new, ToString::to_string);
            let (id_for_update, id_for_reset, id_for_toggle) =
                (user.id.to_string(), user.id.to_string(), user.id.to_string());
            let (toggle_value, toggle_label) =
                if user.active { ("false", Key::Deactivate) } else { ("true", Key::Reactivate) };
            let status = if user.active { Key::Active } else { Key::Inactive };
            let last = user.last_sign_in_at.map_or_else(|| t(Key::Never).to_owned(), crate::format::date_time);
            Ok(view! {
                <h1>{t(Key::EditUser)} ": " {user.username.to_string()}</h1>
                <dl class="facts panel">
                    <dt>{t(Key::Role)}</dt>
                    <dd>{t(role_label(user.role))}</dd>
                    <dt>{t(Key::Status)}</dt>
                    <dd><span class="badge" class:badge-off=!user.active>{t(status)}</span></dd>
                    <dt>{t(Key::LastSignIn)}</dt>
                    <dd>{last}</dd>
                </dl>
                <div class="grid-2">
                    <section class="panel" aria-labelledby="profile-heading">
                        <h2 id="profile-heading">{t(Key::Edit)}</h2>
                        <ErrorBanner error=update_error.filter(|error| error.form_errors().is_none()) />
                        <form action=UpdateUser::PATH method="post" class="stack">
                            <input type="hidden" name="id" value=id_for_update />
                            <TextField name="display_name" label=Key::DisplayName value=user.display_name.clone() errors=update_errors.clone() />
                            <SelectField name="role" label=Key::Role options=role_options(&actor) selected=user.role.code().to_owned() errors=update_errors.clone() />
                            <SelectField name="branch" label=Key::Branch options=branch_options(&actor, &branches) selected=scope errors=update_errors />
                            <button type="submit" class="button button-primary">{t(Key::Save)}</button>
                        </form>
                    </section>
                    <section class="panel" aria-labelledby="security-heading">
                        <h2 id="security-heading">{t(Key::ResetPassword)}</h2>
                        <ErrorBanner error=reset_error.filter(|error| error.form_errors().is_none()) />
                        <form action=ResetUserPassword::PATH method="post" class="stack">
                            <input type="hidden" name="id" value=id_for_reset />
                            <TextField name="password" label=Key::NewPassword input_type="password" autocomplete="new-password"
                                required=true help=Key::InitialPasswordHelp errors=reset_errors />
                            <button type="submit" class="button">{t(Key::ResetPassword)}</button>
                        </form>
                        <hr />
                        {activate_message.map(|message| view! { <div class="banner banner-error" role="alert">{message}</div> })}
                        <form action=SetUserActive::PATH method="post" class="stack">
                            <input type="hidden" name="id" value=id_for_toggle />
                            <input type="hidden" name="active" value=toggle_value />
                            <button type="submit" class="button" class:button-danger=user.active>{t(toggle_label)}</button>
                        </form>
                    </section>
                </div>
            }
            .into_any())
        }
        .await;
        or_error_banner(result)
    });

    view! {
        {page_title(Key::EditUser)}
        <Layout current="/admin/users">
            <p><a href="/admin/users">"← " {t(Key::Back)}</a></p>
            <Notice message=done />
            <Suspense fallback=|| ()>{content}</Suspense>
        </Layout>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_are_not_numbers_are_not_found() {
        assert_eq!(parse_id("12"), Ok(UserId(12)));
        assert_eq!(parse_id("12abc"), Err(AppError::NotFound));
    }
}
