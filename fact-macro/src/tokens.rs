//! The tables of `fact-host` as constant expressions of the facade: each
//! value type (`Import`, `Export`, `Resource`, `AsyncCall`...) has one
//! function here that turns it into tokens, matching it exhaustively, so
//! that a new variant or field does not compile until the macro knows how
//! to emit it.

use fact_core::{
    AsyncCall, CoreType, Export, Import, ImportKind, Resource, ResourceOp, Signature,
    StringEncoding, Transcode,
};
use proc_macro2::TokenStream;
use quote::quote;

/// `::std::borrow::Cow::Borrowed("..")`.
fn cow(s: &str) -> TokenStream {
    quote!(::std::borrow::Cow::Borrowed(#s))
}

/// An [`Import`] as a constant expression.
pub(crate) fn import(import: &Import) -> TokenStream {
    let Import { module, name, kind } = import;
    let module = cow(module);
    let name = cow(name);
    let kind = import_kind(kind);
    quote!(::fact::Import { module: #module, name: #name, kind: #kind })
}

/// An [`ImportKind`] as a constant expression.
fn import_kind(kind: &ImportKind) -> TokenStream {
    match *kind {
        ImportKind::Memory { instance, memory64 } => {
            quote!(::fact::ImportKind::Memory { instance: #instance, memory64: #memory64 })
        }
        ImportKind::Realloc { instance, memory64 } => {
            quote!(::fact::ImportKind::Realloc { instance: #instance, memory64: #memory64 })
        }
        ImportKind::Flags { instance } => quote!(::fact::ImportKind::Flags { instance: #instance }),
        ImportKind::Callee { adapter } => quote!(::fact::ImportKind::Callee { adapter: #adapter }),
        ImportKind::PostReturn { adapter } => {
            quote!(::fact::ImportKind::PostReturn { adapter: #adapter })
        }
        ImportKind::Trap => quote!(::fact::ImportKind::Trap),
        ImportKind::AsyncCall { adapter } => {
            quote!(::fact::ImportKind::AsyncCall { adapter: #adapter })
        }
        ImportKind::ErrorContextTransfer {
            src_instance,
            dst_instance,
        } => quote!(::fact::ImportKind::ErrorContextTransfer {
            src_instance: #src_instance,
            dst_instance: #dst_instance,
        }),
        ImportKind::Transcode {
            op,
            src_instance,
            src_memory64,
            dst_instance,
            dst_memory64,
        } => {
            let op = transcode(op);
            quote!(::fact::ImportKind::Transcode {
                op: #op,
                src_instance: #src_instance,
                src_memory64: #src_memory64,
                dst_instance: #dst_instance,
                dst_memory64: #dst_memory64,
            })
        }
        ImportKind::Validate {
            utf16,
            instance,
            memory64,
        } => quote!(::fact::ImportKind::Validate {
            utf16: #utf16,
            instance: #instance,
            memory64: #memory64,
        }),
        ImportKind::Resource {
            op,
            src_instance,
            dst_instance,
        } => {
            let op = resource_op(op);
            quote!(::fact::ImportKind::Resource {
                op: #op,
                src_instance: #src_instance,
                dst_instance: #dst_instance,
            })
        }
    }
}

/// A [`ResourceOp`] as a constant expression.
fn resource_op(op: ResourceOp) -> TokenStream {
    match op {
        ResourceOp::EnterCall => quote!(::fact::ResourceOp::EnterCall),
        ResourceOp::ExitCall => quote!(::fact::ResourceOp::ExitCall),
        ResourceOp::TransferOwn => quote!(::fact::ResourceOp::TransferOwn),
        ResourceOp::TransferBorrow => quote!(::fact::ResourceOp::TransferBorrow),
        ResourceOp::BorrowRep => quote!(::fact::ResourceOp::BorrowRep),
    }
}

/// An `Option` of a constant expression, as a constant expression.
fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(value) => quote!(::std::option::Option::Some(#value)),
        None => quote!(::std::option::Option::None),
    }
}

/// A [`Resource`] as a constant expression.
pub(crate) fn resource(resource: &Resource) -> TokenStream {
    let Resource {
        interface,
        name,
        implementer,
    } = resource;
    let interface = option(interface.as_deref().map(cow));
    let name = cow(name);
    let implementer = option(implementer.map(|i| quote!(#i)));
    quote!(::fact::Resource {
        interface: #interface,
        name: #name,
        implementer: #implementer,
    })
}

/// A [`Transcode`] as a constant expression.
fn transcode(op: Transcode) -> TokenStream {
    match op {
        Transcode::CopyUtf8 => quote!(::fact::Transcode::CopyUtf8),
        Transcode::CopyUtf16 => quote!(::fact::Transcode::CopyUtf16),
        Transcode::Utf16ToCompact => quote!(::fact::Transcode::Utf16ToCompact),
        Transcode::Latin1ToUtf16 => quote!(::fact::Transcode::Latin1ToUtf16),
        Transcode::Utf8ToUtf16 => quote!(::fact::Transcode::Utf8ToUtf16),
        Transcode::Utf16AsciiPrefix => quote!(::fact::Transcode::Utf16AsciiPrefix),
        Transcode::Latin1AsciiPrefix => quote!(::fact::Transcode::Latin1AsciiPrefix),
        Transcode::Utf16ToUtf8 => quote!(::fact::Transcode::Utf16ToUtf8),
        Transcode::Latin1ToUtf8 => quote!(::fact::Transcode::Latin1ToUtf8),
        Transcode::Utf8ToLatin1 => quote!(::fact::Transcode::Utf8ToLatin1),
        Transcode::Utf16ToLatin1 => quote!(::fact::Transcode::Utf16ToLatin1),
    }
}

/// An [`Export`] as a constant expression.
pub(crate) fn export(export: &Export) -> TokenStream {
    let Export {
        name,
        interface,
        function,
        lower_instance,
        lift_instance,
        lowered,
        lifted,
        async_call,
    } = export;
    let name = cow(name);
    let interface = option(interface.as_deref().map(cow));
    let function = cow(function);
    let lowered = signature(lowered);
    let lifted = signature(lifted);
    let async_call = option(async_call.as_ref().map(async_call_tokens));
    quote!(::fact::Export {
        name: #name,
        interface: #interface,
        function: #function,
        lower_instance: #lower_instance,
        lift_instance: #lift_instance,
        lowered: #lowered,
        lifted: #lifted,
        async_call: #async_call,
    })
}

/// An [`AsyncCall`] as a constant expression.
fn async_call_tokens(call: &AsyncCall) -> TokenStream {
    let AsyncCall {
        lower_async,
        callback,
        start_params,
        retptr,
        task_return,
        callee_encoding,
        post_return,
    } = call;
    let task_return = signature(task_return);
    let encoding = match callee_encoding {
        StringEncoding::Utf8 => quote!(::fact::StringEncoding::Utf8),
        StringEncoding::Utf16 => quote!(::fact::StringEncoding::Utf16),
        StringEncoding::CompactUtf16 => quote!(::fact::StringEncoding::CompactUtf16),
    };
    quote!(::fact::AsyncCall {
        lower_async: #lower_async,
        callback: #callback,
        start_params: #start_params,
        retptr: #retptr,
        task_return: #task_return,
        callee_encoding: #encoding,
        post_return: #post_return,
    })
}

/// A [`Signature`] as a constant expression.
fn signature(signature: &Signature) -> TokenStream {
    let types = |types: &[CoreType]| {
        let types = types.iter().map(|t| match t {
            CoreType::I32 => quote!(::fact::CoreType::I32),
            CoreType::I64 => quote!(::fact::CoreType::I64),
            CoreType::F32 => quote!(::fact::CoreType::F32),
            CoreType::F64 => quote!(::fact::CoreType::F64),
        });
        quote!(&[#(#types),*])
    };
    let params = types(&signature.params);
    let results = types(&signature.results);
    quote!(::fact::Signature::new(#params, #results))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn imports_are_const_expressions_of_the_facade() {
        let tokens = import(&Import {
            module: Cow::Borrowed("transcode"),
            name: Cow::Borrowed("copy-utf8"),
            kind: ImportKind::Transcode {
                op: Transcode::CopyUtf8,
                src_instance: 1,
                src_memory64: false,
                dst_instance: 0,
                dst_memory64: true,
            },
        });
        let expr: syn::Expr = syn::parse2(tokens.clone()).unwrap();
        let text = quote!(#expr).to_string();
        assert!(text.starts_with(":: fact :: Import {"), "{text}");
        assert!(
            text.contains("op : :: fact :: Transcode :: CopyUtf8"),
            "{text}"
        );
        assert!(text.contains("dst_memory64 : true"), "{text}");
    }

    #[test]
    fn every_transcode_is_its_own_variant_of_the_facade() {
        for &op in Transcode::ALL {
            let text = transcode(op).to_string();
            assert_eq!(text, format!(":: fact :: Transcode :: {op:?}"));
        }
    }

    #[test]
    fn exports_are_const_expressions_of_the_facade() {
        let tokens = export(&Export {
            name: Cow::Borrowed("[export]demo:app/api#greet"),
            interface: Some(Cow::Borrowed("demo:app/api")),
            function: Cow::Borrowed("greet"),
            lower_instance: 1,
            lift_instance: 0,
            lowered: Signature::new(&[CoreType::I32, CoreType::I32], &[CoreType::I32]),
            lifted: Signature::new(&[CoreType::I64], &[]),
            async_call: None,
        });
        let text = tokens.to_string();
        assert!(
            text.contains("interface : :: std :: option :: Option :: Some"),
            "{text}"
        );
        assert!(text.contains("lower_instance : 1u32"), "{text}");
        assert!(
            text.contains(
                "lowered : :: fact :: Signature :: new (& [:: fact :: CoreType :: I32 , \
                 :: fact :: CoreType :: I32] , & [:: fact :: CoreType :: I32])"
            ),
            "{text}"
        );
    }

    #[test]
    fn every_resource_op_is_its_own_variant_of_the_facade() {
        for &op in ResourceOp::ALL {
            assert_eq!(
                resource_op(op).to_string(),
                format!(":: fact :: ResourceOp :: {op:?}")
            );
        }
    }
}
