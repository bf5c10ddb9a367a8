//! The tags Karmem knows (language.md §4): where each is meaningful and what it does.
//! Shared by hover (what a tag does) and completion (which tags to offer).

/// Where a tag is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagPlace {
    Header,
    Enum,
    Struct,
    Field,
}

impl TagPlace {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            TagPlace::Header => "the header",
            TagPlace::Enum => "an enum",
            TagPlace::Struct => "a struct",
            TagPlace::Field => "a field",
        }
    }
}

/// A tag with a meaning.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KnownTag {
    pub name: &'static str,
    pub places: &'static [TagPlace],
    /// What it does, one sentence.
    pub summary: &'static str,
    /// The snippet inserted after `@`.
    pub snippet: &'static str,
    /// What a generator uses without the tag (`<lang>.*` tags; empty: the module name).
    pub default: Option<&'static str>,
}

const HEADER: &[TagPlace] = &[TagPlace::Header];
const STRUCT: &[TagPlace] = &[TagPlace::Struct];
const BOTH: &[TagPlace] = &[TagPlace::Header, TagPlace::Struct];

/// Every known tag, in the order completion offers them.
pub(crate) const KNOWN_TAGS: &[KnownTag] = &[
    KnownTag {
        name: "packed",
        places: BOTH,
        summary: "Packs structs: no trailing padding after inline structs, and 8-byte instead of 12-byte slice headers. On the header it is the default for every struct; on a struct it overrides the header. `@packed()` and `@packed(true)` pack, `@packed(false)` does not.",
        snippet: "packed(${1:true})",
        default: None,
    },
    KnownTag {
        name: "id",
        places: STRUCT,
        summary: "Fixes the struct's id (a decimal 64-bit number). Without it the id is a hash of the struct's name, so renaming the struct changes it.",
        snippet: "id(${1:0})",
        default: None,
    },
    KnownTag {
        name: "key",
        places: HEADER,
        summary: "Keys the hash that gives struct ids: two schemas with different keys give different ids to structs of the same name. `@key()` is a key (the empty string), not \"no key\".",
        snippet: "key(${1:key})",
        default: None,
    },
    KnownTag {
        name: "golang.package",
        places: HEADER,
        summary: "The package name of the generated Go code.",
        snippet: "golang.package(${1:name})",
        default: Some(""),
    },
    KnownTag {
        name: "golang.import",
        places: HEADER,
        summary: "The import path of the Karmem runtime in the generated Go code.",
        snippet: "golang.import(`${1:karmem.org/golang}`)",
        default: Some("karmem.org/golang"),
    },
    KnownTag {
        name: "c.import",
        places: HEADER,
        summary: "The include path of the Karmem runtime in the generated C code.",
        snippet: "c.import(`${1:karmem.h}`)",
        default: Some("karmem.h"),
    },
    KnownTag {
        name: "zig.import",
        places: HEADER,
        summary: "The import path of the Karmem runtime in the generated Zig code.",
        snippet: "zig.import(`${1:karmem}`)",
        default: Some("karmem"),
    },
    KnownTag {
        name: "assemblyscript.import",
        places: HEADER,
        summary: "The import path of the Karmem runtime in the generated AssemblyScript code.",
        snippet: "assemblyscript.import(`${1:karmem/assemblyscript/karmem}`)",
        default: Some("karmem/assemblyscript/karmem"),
    },
    KnownTag {
        name: "swift.import",
        places: HEADER,
        summary: "The module name of the Karmem runtime imported by the generated Swift code.",
        snippet: "swift.import(`${1:karmem}`)",
        default: Some("karmem"),
    },
    KnownTag {
        name: "odin.package",
        places: HEADER,
        summary: "The package name of the generated Odin code.",
        snippet: "odin.package(${1:name})",
        default: Some(""),
    },
    KnownTag {
        name: "odin.import",
        places: HEADER,
        summary: "The import path of the Karmem runtime in the generated Odin code.",
        snippet: "odin.import(`${1:karmem.org/odin}`)",
        default: Some("karmem.org/odin"),
    },
    KnownTag {
        name: "dotnet.package",
        places: HEADER,
        summary: "The namespace of the generated .NET (C#) code.",
        snippet: "dotnet.package(${1:Name})",
        default: Some(""),
    },
    KnownTag {
        name: "dotnet.import",
        places: HEADER,
        summary: "Declared for the .NET generator but never used by it (the runtime namespace `Karmem` is fixed).",
        snippet: "dotnet.import(`${1:karmem.org/dotnet}`)",
        default: Some("karmem.org/dotnet"),
    },
];

impl KnownTag {
    /// The snippet with its placeholders filled in: `packed(true)`.
    pub(crate) fn snippet_plain(&self) -> String {
        let mut out = String::new();
        let mut rest = self.snippet;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                rest = after;
                break;
            };
            let placeholder = &after[..end];
            out.push_str(placeholder.split_once(':').map_or("", |(_, d)| d));
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// The known tag called `name`.
pub(crate) fn known_tag(name: &str) -> Option<&'static KnownTag> {
    KNOWN_TAGS.iter().find(|t| t.name == name)
}

/// The target language of a `<lang>.package` / `<lang>.import` tag, as people write it.
pub(crate) fn language_of(name: &str) -> Option<&'static str> {
    let (lang, _) = name.split_once('.')?;
    Some(match lang {
        "golang" => "Go",
        "c" => "C",
        "zig" => "Zig",
        "swift" => "Swift",
        "odin" => "Odin",
        "dotnet" => ".NET",
        "assemblyscript" => "AssemblyScript",
        _ => return None,
    })
}
