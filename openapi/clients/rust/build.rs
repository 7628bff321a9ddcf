//! Generates the client from the committed spec (`openapi/platform.json`) with progenitor: every
//! operation. progenitor does not support cookie parameters, so they are left out: this client
//! sends refresh tokens in the body (cookie mode is for browsers). Requests carry the client's
//! [`Credentials`] (a bearer token or none) through a pre-request hook.

use std::{env, fs, path::PathBuf};

fn main() {
    let spec_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../platform.json");
    println!("cargo:rerun-if-changed={}", spec_path.display());
    let text = fs::read_to_string(&spec_path).expect("read openapi/platform.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&text).expect("parse openapi/platform.json");
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for item in paths.values_mut().filter_map(|i| i.as_object_mut()) {
            for op in item.values_mut() {
                if let Some(params) = op.get_mut("parameters").and_then(|p| p.as_array_mut()) {
                    params.retain(|p| p.get("in").and_then(|i| i.as_str()) != Some("cookie"));
                }
            }
        }
    }
    let spec: openapiv3::OpenAPI = serde_json::from_value(doc).expect("an OpenAPI 3.0 document");
    // Every request passes through `Credentials::apply`, so one connection pool can serve many
    // signed-in users: `Client::with_bearer` makes a client for a token without a new pool.
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_inner_type(quote::quote!(crate::Credentials))
        .with_pre_hook(quote::quote!(crate::Credentials::apply));
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .expect("progenitor generates a client from the spec");
    let ast = syn::parse2(tokens).expect("generated code parses");
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("client.rs");
    fs::write(out, prettyplease::unparse(&ast)).expect("write the generated client");
}
