//! Loading the WIT named by the macro input into a [`Resolve`].
//!
//! A path names a WIT directory (its `*.wit` files are one package, its
//! `deps/` directory holds the dependencies: [`Resolve::push_path`]), a
//! single `.wit` file, whose sibling `deps/` directory is loaded too, with the
//! same rules as a directory's, or a WIT package encoded as wasm (`.wasm`,
//! `.wat`). Every error is rendered with
//! [`Resolve::render_error`], so it carries the WIT file, line, column and
//! source line.

use fact_core::wit_parser::{PackageId, Resolve, SourceMap, UnresolvedPackageGroup, WorldId};
use std::path::{Path, PathBuf};

/// The file name that inline WIT gets in error messages.
pub(crate) const INLINE_NAME: &str = "inline.wit";

/// WIT loaded for the macro.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// Every package read.
    pub resolve: Resolve,
    /// The main package (the one the path or inline source names).
    pub package: PackageId,
    /// Every file read, so that Cargo rebuilds the crate when one changes.
    pub files: Vec<PathBuf>,
}

impl Loaded {
    /// Loads the WIT at `path`, relative to `manifest_dir`.
    pub fn path(manifest_dir: &Path, path: &str) -> Result<Self, String> {
        let full = manifest_dir.join(path);
        if !full.exists() {
            return Err(format!(
                "WIT path `{path}` does not exist (it is relative to the directory of the \
                 crate's Cargo.toml, `CARGO_MANIFEST_DIR`)"
            ));
        }
        let mut resolve = Resolve::default();
        let encoded = matches!(
            full.extension().and_then(|e| e.to_str()),
            Some("wasm" | "wat")
        );
        // A directory, or a WIT package encoded as wasm, which carries its
        // own dependencies.
        if full.is_dir() || encoded {
            let (package, sources) = resolve
                .push_path(&full)
                .map_err(|e| resolve.render_error(&e))?;
            let files = sources.paths().map(Path::to_path_buf).collect();
            return Ok(Loaded {
                resolve,
                package,
                files,
            });
        }
        let mut files = Vec::new();
        let deps = match full.parent() {
            Some(dir) => load_deps(&mut resolve, &dir.join("deps"), &mut files)?,
            None => Vec::new(),
        };
        let mut map = SourceMap::new();
        map.push_file(&full)
            .map_err(|e| format!("cannot read WIT file `{path}`: {e:#}"))?;
        files.push(full);
        let main = parse(map)?;
        let package = resolve
            .push_groups(main, deps)
            .map_err(|e| resolve.render_error(&e.into()))?;
        Ok(Loaded {
            resolve,
            package,
            files,
        })
    }

    /// Loads WIT source text.
    pub fn inline(source: &str) -> Result<Self, String> {
        let mut resolve = Resolve::default();
        let package = resolve
            .push_str(INLINE_NAME, source)
            .map_err(|e| resolve.render_error(&e))?;
        Ok(Loaded {
            resolve,
            package,
            files: Vec::new(),
        })
    }

    /// Selects the world to adapt: `world`, or the main package's only one.
    pub fn world(&self, world: Option<&str>) -> Result<WorldId, String> {
        self.resolve
            .select_world(&[self.package], world)
            .map_err(|e| self.resolve.render_error(&e))
    }
}

/// Parses the packages of a `deps/` directory the way
/// [`Resolve::push_dir`] does: each subdirectory is one package, each `.wit`
/// file is one package, and `.wasm`/`.wat` files are encoded packages (pushed
/// into `resolve` at once, as they carry their own dependencies).
///
/// `push_dir` does this only for directories; the macro does it for the
/// directory around a single file too.
fn load_deps(
    resolve: &mut Resolve,
    deps: &Path,
    files: &mut Vec<PathBuf>,
) -> Result<Vec<UnresolvedPackageGroup>, String> {
    let mut groups = Vec::new();
    if !deps.is_dir() {
        return Ok(groups);
    }
    let cannot_read = |e: std::io::Error| format!("cannot read `{}`: {e}", deps.display());
    let mut entries = deps
        .read_dir()
        .and_then(|entries| {
            entries
                .map(|e| e.map(|e| e.path()))
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(cannot_read)?;
    entries.sort();
    for path in entries {
        let mut map = SourceMap::new();
        if path.is_dir() {
            map.push_dir(&path)
                .map_err(|e| format!("cannot read WIT directory: {e:#}"))?;
        } else {
            match path.extension().and_then(|e| e.to_str()) {
                Some("wit") => map
                    .push_file(&path)
                    .map_err(|e| format!("cannot read WIT file: {e:#}"))?,
                Some("wasm" | "wat") => {
                    resolve
                        .push_file(&path)
                        .map_err(|e| resolve.render_error(&e))?;
                    files.push(path);
                    continue;
                }
                // Like `push_dir`, ignore other files (`.DS_Store`, READMEs).
                _ => continue,
            }
        }
        files.extend(map.source_files().map(Path::to_path_buf));
        groups.push(parse(map)?);
    }
    Ok(groups)
}

/// Parses the files of one package, rendering a syntax error with its source.
fn parse(map: SourceMap) -> Result<UnresolvedPackageGroup, String> {
    map.parse().map_err(|(map, e)| e.render(&map))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The WIT fixtures of the workspace's integration tests.
    fn wit_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/wit")
    }

    fn error(result: Result<Loaded, String>) -> String {
        match result {
            Ok(loaded) => panic!("loaded {:?}", loaded.files),
            Err(e) => e,
        }
    }

    #[test]
    fn a_missing_path_names_the_path_as_written() {
        let e = error(Loaded::path(&wit_dir(), "no/such.wit"));
        assert!(
            e.starts_with("WIT path `no/such.wit` does not exist"),
            "{e}"
        );
    }

    #[test]
    fn a_syntax_error_in_a_file_has_file_line_column_and_source() {
        let e = error(Loaded::path(&wit_dir(), "bad/syntax.wit"));
        assert!(e.starts_with("expected ';', found '}'"), "{e}");
        assert!(e.contains("bad/syntax.wit:6:1\n"), "{e}");
        assert!(e.contains("    6 | }\n"), "{e}");
    }

    #[test]
    fn a_syntax_error_in_inline_wit_has_line_column_and_source() {
        let e = error(Loaded::inline(
            "package a:b;\nworld w {\n  import x: func(;\n}\n",
        ));
        assert!(e.contains("inline.wit:3:"), "{e}");
        assert!(e.contains("import x: func(;"), "{e}");
    }

    #[test]
    fn an_unknown_name_is_reported_where_it_is_used() {
        let e = error(Loaded::inline(
            "package a:b;\nworld w {\n  import c:d/e;\n}\n",
        ));
        assert!(e.contains("inline.wit:3:"), "{e}");
    }

    #[test]
    fn an_unknown_package_is_reported_with_file_line_column() {
        let e = error(Loaded::path(&wit_dir(), "bad/unknown-package.wit"));
        assert!(e.contains("unknown-package.wit:5:"), "{e}");
        assert!(e.contains("import demo:nowhere/api;"), "{e}");
    }

    #[test]
    fn a_directory_loads_its_deps_and_lists_every_file() {
        let loaded = Loaded::path(&wit_dir(), "with-deps").unwrap();
        let names: Vec<_> = loaded
            .files
            .iter()
            .filter_map(|f| f.file_name()?.to_str())
            .collect();
        for file in ["user.wit", "logging.wit", "clock.wit"] {
            assert!(names.contains(&file), "{file} not in {names:?}");
        }
        loaded.world(None).unwrap();
    }

    #[test]
    fn a_file_loads_its_sibling_deps_too() {
        let loaded = Loaded::path(&wit_dir(), "with-deps/user.wit").unwrap();
        assert_eq!(loaded.files.len(), 3, "{:?}", loaded.files);
        assert!(loaded.files.iter().all(|f| f.is_absolute()));
        let world = loaded.world(None).unwrap();
        assert_eq!(loaded.resolve.worlds[world].name, "user");
    }

    #[test]
    fn several_worlds_need_a_choice() {
        let loaded = Loaded::path(&wit_dir(), "two-worlds.wit").unwrap();
        let e = loaded.world(None).unwrap_err();
        assert!(e.contains("multiple worlds"), "{e}");
        loaded.world(Some("second")).unwrap();
        loaded.world(Some("demo:two/first")).unwrap();
        let e = loaded.world(Some("third")).unwrap_err();
        assert!(e.contains("`third` not found"), "{e}");
    }
}
