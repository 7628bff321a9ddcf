//! The `platform` command: serve, migrate, openapi, and tenant administration.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::{
    app::AppState,
    config::Config,
    domain::{EmailAddress, TenantSlug},
    http,
    mail::sender::Sender,
    members::invitation_mail as invitations,
    migrate, server, telemetry,
    tenants::Tenant,
};

/// The multi-tenant authentication platform.
#[derive(Debug, Parser)]
#[command(name = "platform", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API (configuration: defaults, PLATFORM_CONFIG file, PLATFORM_* variables).
    Serve,
    /// Bring the control plane and every tenant to the latest migration.
    Migrate {
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Check or export a tenant's audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Manage platform operators (support staff).
    #[command(subcommand)]
    Operator(OperatorCommand),
}

#[derive(Debug, Subcommand)]
enum OperatorCommand {
    /// Create an operator with a generated password and TOTP enrolled; prints both once.
    Create {
        email: String,
        /// `support` (read, revoke sessions, reset MFA, force password resets, resend
        /// invitations) or `admin` (also tenant lifecycle, member roles and status).
        #[arg(long, default_value = "support")]
        role: String,
        /// Print JSON (`email`, `password`, `totp_secret`, …).
        #[arg(long)]
        json: bool,
    },
    /// List operators.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the tenant's audit hash chain; exits 1 naming the first broken link.
    Verify {
        slug: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check the operators' audit hash chain; exits 1 naming the first broken link.
    VerifyOperators {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the tenant's audit log as JSON lines, oldest first.
    Export {
        slug: String,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum TenantCommand {
    /// Provision a tenant (its own schema or database file).
    Create {
        /// The tenant's URL name: a-z, 0-9 and '-', 3 to 40 characters.
        slug: String,
        /// A display name (defaults to the slug).
        #[arg(long)]
        name: Option<String>,
        /// Email an invitation to become the tenant's owner to this address.
        #[arg(long)]
        owner: Option<String>,
        /// Print the tenant as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List tenants.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Delete a tenant and all its data (asks to type the slug unless --yes).
    Delete {
        slug: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Suspend a tenant: every one of its paths answers 403 until resumed.
    Suspend { slug: String },
    /// Resume a suspended tenant.
    Resume { slug: String },
    /// Make a new signing key current; the old one keeps verifying tokens until the next rotation.
    RotateKeys { slug: String },
    /// Back a tenant up into a new directory while it serves: its registry entry and a
    /// consistent copy of its data (`pg_dump` of its schema, or its SQLite file).
    Export {
        slug: String,
        /// The directory to write (created; must be empty if it exists).
        #[arg(long)]
        to: std::path::PathBuf,
        /// Print the manifest as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Restore a tenant from a directory written by `tenant export`, under its original id,
    /// and migrate it. Needs the master key the backup was taken under.
    Import {
        slug: String,
        /// The backup directory.
        #[arg(long)]
        from: std::path::PathBuf,
        /// Delete an existing tenant of that slug or id first.
        #[arg(long)]
        replace: bool,
    },
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Openapi = cli.command {
        println!("{}", http::spec_json());
        return Ok(());
    }
    let config = Config::load()?;
    let level = if matches!(cli.command, Command::Serve) {
        "info"
    } else {
        "warn"
    };
    telemetry::init(config.log_format, level);
    for name in &config.ignored_env {
        tracing::warn!(variable = %name, "ignoring a PLATFORM_* environment variable that names no setting");
    }
    let state = AppState::build(config).await?;
    match cli.command {
        Command::Openapi => unreachable!("handled above"),
        Command::Serve => server::serve(state).await,
        Command::Migrate { json } => {
            let summary = migrate::migrate_all(&state, !json).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&summary)?);
            } else {
                println!(
                    "control plane current; {} tenant(s): {} migrated, {} already current, {} failed",
                    summary.tenants,
                    summary.migrated,
                    summary.already_current,
                    summary.failed.len()
                );
            }
            if !summary.failed.is_empty() {
                bail!("{} tenant(s) failed to migrate", summary.failed.len());
            }
            Ok(())
        }
        Command::Tenant(cmd) => tenant(state, cmd).await,
        Command::Audit(cmd) => audit(state, cmd).await,
        Command::Operator(cmd) => operator(state, cmd).await,
    }
}

async fn operator(state: AppState, cmd: OperatorCommand) -> anyhow::Result<()> {
    match cmd {
        OperatorCommand::Create { email, role, json } => {
            let created = crate::operators::create(&state.console, &email, &role).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&created)?);
            } else {
                println!("created operator {} ({})", created.email, created.role);
                println!("password:    {}", created.password);
                println!("totp_secret: {}", created.totp_secret);
                println!("otpauth_url: {}", created.otpauth_url);
                println!("These are shown once; store them in a password manager now.");
            }
            Ok(())
        }
        OperatorCommand::List { json } => {
            let all = crate::operators::list(&state.console).await?;
            if json {
                let v: Vec<serde_json::Value> = all
                    .iter()
                    .map(|o| {
                        serde_json::json!({
                            "id": o.id, "email": o.email, "role": o.role,
                            "status": o.status, "created_at": o.created_at,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                for o in all {
                    println!("{:<40} {:<8} {}", o.email, o.role, o.status);
                }
            }
            Ok(())
        }
    }
}

async fn audit(state: AppState, cmd: AuditCommand) -> anyhow::Result<()> {
    match cmd {
        AuditCommand::VerifyOperators { json } => {
            let report = crate::operators::audit::verify(&state.store).await?;
            print_chain_report("the operators", &report, json)
        }
        AuditCommand::Verify { slug, json } => {
            let t = state.tenants.get(&slug).await?;
            let tx = state.tenants.scope(&t).read().await?;
            // Appends and retention wait while the chain is read, so it is read whole.
            tx.lock("audit").await?;
            let report = crate::audit::chain::verify(&tx, state.master_key.bytes()).await?;
            tx.commit().await?;
            print_chain_report(&t.slug, &report, json)
        }
        AuditCommand::Export { slug, output } => {
            let t = state.tenants.get(&slug).await?;
            let tx = state.tenants.scope(&t).read().await?;
            tx.lock("audit").await?;
            let written = match &output {
                Some(path) => {
                    let file = std::fs::File::create(path)
                        .with_context(|| format!("creating {}", path.display()))?;
                    let mut out = std::io::BufWriter::new(file);
                    crate::audit::query::export(&tx, &mut out).await?
                }
                None => {
                    let mut out = std::io::BufWriter::new(std::io::stdout());
                    crate::audit::query::export(&tx, &mut out).await?
                }
            };
            tx.commit().await?;
            if let Some(path) = output {
                eprintln!("wrote {written} event(s) to {}", path.display());
            }
            Ok(())
        }
    }
}

async fn tenant(state: AppState, cmd: TenantCommand) -> anyhow::Result<()> {
    match cmd {
        TenantCommand::Create {
            slug,
            name,
            owner,
            json,
        } => {
            let slug = TenantSlug::parse(&slug)?;
            let owner = owner.as_deref().map(EmailAddress::parse).transpose()?;
            let tenant = state.provision_tenant(&slug, name.as_deref()).await?;
            if let Some(owner) = &owner
                && let Err(e) = invite_owner(&state, &tenant, owner).await
            {
                // All or nothing: a tenant whose owner was never invited is not created.
                let _ = state.tenants.delete(&tenant.slug).await;
                return Err(e.context("inviting the owner"));
            }
            if json {
                let mut v = serde_json::to_value(&tenant)?;
                if let (Some(map), Some(owner)) = (v.as_object_mut(), &owner) {
                    map.insert("owner_invited".into(), owner.as_str().into());
                }
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("created tenant {} ({})", tenant.slug, tenant.id);
                if let Some(owner) = owner {
                    println!("invited {owner} to become its owner");
                }
            }
            Ok(())
        }
        TenantCommand::List { json } => {
            let all = state.tenants.list().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                print_table(&all);
            }
            Ok(())
        }
        TenantCommand::Delete { slug, yes } => {
            let tenant = state.tenants.get(&slug).await?;
            if !yes {
                confirm_delete(&tenant.slug)?;
            }
            state.tenants.delete(&tenant.slug).await?;
            println!("deleted tenant {}", tenant.slug);
            Ok(())
        }
        TenantCommand::Suspend { slug } => {
            let t = state.tenants.suspend(&slug).await?;
            println!("suspended tenant {}", t.slug);
            Ok(())
        }
        TenantCommand::RotateKeys { slug } => {
            let t = state.tenants.get(&slug).await?;
            let kid = state.keys.rotate(&state.tenants.scope(&t)).await?;
            println!("tenant {}: new signing key {kid} is current", t.slug);
            Ok(())
        }
        TenantCommand::Resume { slug } => {
            let t = state.tenants.resume(&slug).await?;
            println!("resumed tenant {}", t.slug);
            Ok(())
        }
        TenantCommand::Export { slug, to, json } => {
            let m = crate::backup::export(&state.backups(), &slug, &to).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&m)?);
            } else {
                println!("exported tenant {} ({}) to {}", m.slug, m.id, to.display());
            }
            Ok(())
        }
        TenantCommand::Import {
            slug,
            from,
            replace,
        } => {
            let slug = TenantSlug::parse(&slug)?;
            let t = crate::backup::import(&state.backups(), &slug, &from, replace).await?;
            println!(
                "imported tenant {} ({}) from {}",
                t.slug,
                t.id,
                from.display()
            );
            Ok(())
        }
    }
}

async fn invite_owner(
    state: &AppState,
    tenant: &Tenant,
    owner: &EmailAddress,
) -> anyhow::Result<()> {
    let scope = state.tenants.scope(tenant);
    let mut tx = scope.begin().await?;
    let inv = invitations::invite(
        &mut tx,
        &state.mailer,
        tenant,
        owner,
        &crate::roles::Role::Owner,
        None,
    )
    .await?;
    crate::audit::record(
        &tx,
        &crate::audit::RequestMeta::default(),
        crate::audit::Event::ok(crate::audit::Actor::System, "invitation.created")
            .target("invitation", inv.id)
            .details(serde_json::json!({ "email": inv.email, "role": inv.role })),
    )
    .await?;
    tx.commit().await?;
    // Deliver now (a running server would also pick it up on its next sweep); a failure leaves
    // the message queued for the server's retries.
    let sender = Sender::new(&state.config, state.tenants.clone(), None)?;
    sender.flush(&scope).await;
    Ok(())
}

fn confirm_delete(slug: &str) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("This deletes tenant {slug} and all its data. Type the slug to confirm: ");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the confirmation")?;
    if line.trim() != slug {
        bail!("not confirmed; nothing deleted (pass --yes to skip the question)");
    }
    Ok(())
}

fn print_table(all: &[Tenant]) {
    if all.is_empty() {
        println!("no tenants");
        return;
    }
    let slug_w = all.iter().map(|t| t.slug.len()).max().unwrap_or(4).max(4);
    let name_w = all
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 40);
    println!(
        "{:slug_w$}  {:name_w$}  {:11}  {:36}  CREATED",
        "SLUG", "NAME", "STATUS", "ID"
    );
    for t in all {
        let name: String = t.name.chars().take(name_w).collect();
        let status = serde_json::to_value(t.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        println!(
            "{:slug_w$}  {:name_w$}  {:11}  {:36}  {}",
            t.slug,
            name,
            status,
            t.id,
            t.created_at.format("%Y-%m-%d %H:%M")
        );
    }
}

/// Prints a chain report of `whose` log (JSON or a line); fails naming the first broken link.
fn print_chain_report(
    whose: &str,
    report: &crate::audit::chain::Report,
    json: bool,
) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    }
    if let Some(b) = &report.broken {
        bail!(
            "the audit chain of {whose} is broken at event {} (id {}): {}",
            b.seq,
            b.id,
            b.reason
        );
    }
    if !json {
        let from = report.checkpoint_seq.map_or_else(String::new, |c| {
            format!(", after the retention checkpoint at {c}")
        });
        println!(
            "the audit chain of {whose} checks: {} event(s){from}{}",
            report.events,
            if report.unchained > 0 {
                format!(
                    "; {} older unchained event(s) not covered",
                    report.unchained
                )
            } else {
                String::new()
            }
        );
    }
    Ok(())
}
