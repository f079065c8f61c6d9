//! One API account: its facts, a new password (revoking every token), and
//! deactivation or reactivation.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use crate::api_account_admin::{ChosenPassword, managed_account};
use crate::auth::{Permission, authorize};
use crate::components::{ErrorBanner, Layout, Notice, TextField, submission_error};
use crate::error::AppError;
use crate::i18n::{Key, t};
use crate::page_title;
use crate::pages::api_accounts::{
    keep_generated_password, kind_label, passwords_differ, take_generated_password,
};
use crate::pages::forbidden::Forbidden;
use crate::pages::{or_error_banner, query_param};
use crate::request::{app_state, identity, require_user};

fn parse_id(id: &str) -> Result<i64, AppError> {
    crate::request::id_param(id)
}

/// Sets a new password, typed twice or generated (shown once); every token of
/// the account stops working.
#[server(endpoint = "api-accounts/rotate-password")]
pub async fn rotate_api_password(
    id: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    let actor = require_user()?;
    let id = parse_id(&id)?;
    let db = app_state()?.db.clone();
    let account = managed_account(&db, &actor, id).await?;
    let Some(chosen) = ChosenPassword::from_form(&password, &password_confirm, &account.username)
    else {
        return Err(passwords_differ(&[]));
    };
    crate::api_account_admin::rotate_password(&db, Some(&actor), id, chosen.expose()).await?;
    if let Some(generated) = chosen.generated() {
        keep_generated_password(id, generated).await?;
    }
    leptos_axum::redirect(&format!("/admin/api-accounts/{id}?done=rotated"));
    Ok(())
}

/// Deactivates (revoking every token) or reactivates an account.
#[server(endpoint = "api-accounts/active")]
pub async fn set_api_account_active(id: String, active: String) -> Result<(), AppError> {
    let actor = require_user()?;
    let id = parse_id(&id)?;
    let active = active == "true";
    crate::api_account_admin::set_active(&app_state()?.db, Some(&actor), id, active).await?;
    let done = if active { "reactivated" } else { "deactivated" };
    leptos_axum::redirect(&format!("/admin/api-accounts/{id}?done={done}"));
    Ok(())
}

#[component]
pub fn ApiAccountEditPage() -> impl IntoView {
    let Some(actor) = identity().user else {
        return ().into_any();
    };
    if authorize(&actor, Permission::ViewUsers, None).is_err() {
        return view! {
            {page_title(Key::ForbiddenTitle)}
            <Layout current="/admin/api-accounts"><Forbidden /></Layout>
        }
        .into_any();
    }
    let id = use_params_map()
        .get_untracked()
        .get("id")
        .unwrap_or_default();
    let rotate_error = submission_error::<RotateApiPassword>();
    let activate_error = submission_error::<SetApiAccountActive>();
    let done = query_param("done").and_then(|done| match done.as_str() {
        "created" => Some(Key::ApiAccountCreated),
        "rotated" => Some(Key::ApiPasswordRotated),
        "deactivated" => Some(Key::ApiAccountDeactivated),
        "reactivated" => Some(Key::ApiAccountReactivated),
        _ => None,
    });

    let content = Suspend::new(async move {
        let result: Result<AnyView, AppError> = async move {
            let state = app_state()?;
            let account = managed_account(&state.db, &actor, parse_id(&id)?).await?;
            let generated = take_generated_password(account.id).await;
            let rotate_errors = rotate_error.as_ref().and_then(AppError::form_errors).cloned();
            let branch = account.branch_code.as_ref().map_or_else(|| t(Key::ApiNoBranch).to_owned(), ToString::to_string);
            let email = if account.email.is_empty() { "—".to_owned() } else { account.email.clone() };
            let status = if account.active { Key::Active } else { Key::Inactive };
            let last = account.last_used_at.map_or_else(|| t(Key::Never).to_owned(), crate::format::date_time);
            let (toggle_value, toggle_label) =
                if account.active { ("false", Key::Deactivate) } else { ("true", Key::Reactivate) };
            let (id_for_rotate, id_for_toggle) = (account.id.to_string(), account.id.to_string());
            Ok(view! {
                {generated.map(|password| view! {
                    <div class="banner banner-warn" role="status">
                        <p>{t(Key::ApiGeneratedPassword)}</p>
                        <p><code class="secret" data-testid="generated-password">{password}</code></p>
                    </div>
                })}
                <h1>{t(Key::ApiAccountsTitle)} ": " {account.username.clone()}</h1>
                <dl class="facts panel">
                    <dt>{t(Key::ApiKind)}</dt>
                    <dd>{t(kind_label(account.kind))}</dd>
                    <dt>{t(Key::Branch)}</dt>
                    <dd>{branch}</dd>
                    <dt>{t(Key::Email)}</dt>
                    <dd>{email}</dd>
                    <dt>{t(Key::Status)}</dt>
                    <dd><span class="badge" class:badge-off=!account.active>{t(status)}</span></dd>
                    <dt>{t(Key::Created)}</dt>
                    <dd>{crate::format::date_time(account.created_at)}</dd>
                    <dt>{t(Key::ApiLastUsed)}</dt>
                    <dd>{last}</dd>
                    <dt>{t(Key::ApiLiveTokens)}</dt>
                    <dd>{account.live_tokens}</dd>
                </dl>
                <div class="grid-2">
                    <section class="panel" aria-labelledby="rotate-heading">
                        <h2 id="rotate-heading">{t(Key::ApiRotatePassword)}</h2>
                        <p class="banner banner-warn">{t(Key::ApiRotateWarning)}</p>
                        <ErrorBanner error=rotate_error.filter(|error| error.form_errors().is_none()) />
                        <form action=RotateApiPassword::PATH method="post" class="stack">
                            <input type="hidden" name="id" value=id_for_rotate />
                            <TextField name="password" label=Key::NewPassword input_type="password" autocomplete="new-password"
                                help=Key::ApiPasswordHelp errors=rotate_errors.clone() />
                            <TextField name="password_confirm" label=Key::ApiPasswordConfirm input_type="password" autocomplete="new-password"
                                errors=rotate_errors />
                            <button type="submit" class="button button-danger">{t(Key::ApiRotatePassword)}</button>
                        </form>
                    </section>
                    <section class="panel" aria-labelledby="status-heading">
                        <h2 id="status-heading">{t(Key::Status)}</h2>
                        <p>{t(Key::ApiDeactivateWarning)}</p>
                        <ErrorBanner error=activate_error />
                        <form action=SetApiAccountActive::PATH method="post" class="stack">
                            <input type="hidden" name="id" value=id_for_toggle />
                            <input type="hidden" name="active" value=toggle_value />
                            <button type="submit" class="button" class:button-danger=account.active>{t(toggle_label)}</button>
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
        {page_title(Key::ApiAccountsTitle)}
        <Layout current="/admin/api-accounts">
            <p><a href="/admin/api-accounts">"← " {t(Key::Back)}</a></p>
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
        assert_eq!(parse_id(" 12 "), Ok(12));
        assert_eq!(parse_id("12abc"), Err(AppError::NotFound));
    }
}
