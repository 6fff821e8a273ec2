//! A builder for the common keys of a machine config (README "Config"); [`Config::to_json`] gives the JSON
//! [`crate::Machine::new`] takes. Keys left unset keep the library's defaults.

use std::fmt::Write;

/// How the built-in host adds a memory region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemoryState {
    /// Added and mapped (TDH.MEM.PAGE.ADD before finalization).
    Mapped,
    /// AUGed: pending until L1 accepts it.
    Pending,
}

/// The page size of a memory region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PageSize {
    /// 4K pages.
    Size4K,
    /// 2M pages.
    Size2M,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Region {
    gpa: u64,
    size: u64,
    state: MemoryState,
    page_size: Option<PageSize>,
}

/// The config of a TD: `Config::new().num_l2_vms(2).vcpus(1).mapped(0x100000, 0x4000)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    num_l2_vms: Option<u32>,
    vcpus: Option<u32>,
    gpaw: Option<u32>,
    memory: Vec<Region>,
    l2_sept_on_demand: Option<bool>,
    vm_ctls: Option<Vec<u64>>,
    finalize: Option<bool>,
    attributes: Option<u64>,
    xfam: Option<u64>,
    config_flags: Option<u64>,
    platform: Option<String>,
}

impl Config {
    /// A config with every key at the library's default.
    pub fn new() -> Config {
        Config::default()
    }
    /// `num_l2_vms`: 0…3.
    pub fn num_l2_vms(mut self, n: u32) -> Config {
        self.num_l2_vms = Some(n);
        self
    }
    /// `vcpus`: 1…65535.
    pub fn vcpus(mut self, n: u32) -> Config {
        self.vcpus = Some(n);
        self
    }
    /// `gpaw`: 48 or 52.
    pub fn gpaw(mut self, bits: u32) -> Config {
        self.gpaw = Some(bits);
        self
    }
    /// A region of `size` bytes at `gpa` in `state`, with 4K pages.
    pub fn memory(mut self, gpa: u64, size: u64, state: MemoryState) -> Config {
        self.memory.push(Region { gpa, size, state, page_size: None });
        self
    }
    /// A region with an explicit page size (`"page_size": "2M"`).
    pub fn memory_pages(mut self, gpa: u64, size: u64, state: MemoryState, page_size: PageSize) -> Config {
        self.memory.push(Region { gpa, size, state, page_size: Some(page_size) });
        self
    }
    /// A mapped region with 4K pages.
    pub fn mapped(self, gpa: u64, size: u64) -> Config {
        self.memory(gpa, size, MemoryState::Mapped)
    }
    /// A pending region with 4K pages.
    pub fn pending(self, gpa: u64, size: u64) -> Config {
        self.memory(gpa, size, MemoryState::Pending)
    }
    /// `l2_sept`: `true` for `"on-demand"` (the host adds no L2 SEPT pages), `false` for `"supplied"`.
    pub fn l2_sept_on_demand(mut self, on_demand: bool) -> Config {
        self.l2_sept_on_demand = Some(on_demand);
        self
    }
    /// `vm_ctls`: VM_CTLS of each L2 VM.
    pub fn vm_ctls(mut self, ctls: &[u64]) -> Config {
        self.vm_ctls = Some(ctls.to_vec());
        self
    }
    /// `finalize` (default true).
    pub fn finalize(mut self, finalize: bool) -> Config {
        self.finalize = Some(finalize);
        self
    }
    /// `attributes` of TD_PARAMS.
    pub fn attributes(mut self, attributes: u64) -> Config {
        self.attributes = Some(attributes);
        self
    }
    /// `xfam` of TD_PARAMS.
    pub fn xfam(mut self, xfam: u64) -> Config {
        self.xfam = Some(xfam);
        self
    }
    /// `config_flags` of TD_PARAMS.
    pub fn config_flags(mut self, flags: u64) -> Config {
        self.config_flags = Some(flags);
        self
    }
    /// `platform`: a platform profile of Specs/global-metadata.tsv.
    pub fn platform(mut self, name: &str) -> Config {
        self.platform = Some(name.to_string());
        self
    }

    /// The config as the JSON object [`crate::Machine::new`] takes.
    pub fn to_json(&self) -> String {
        let mut keys: Vec<String> = Vec::new();
        if let Some(n) = self.num_l2_vms {
            keys.push(format!("\"num_l2_vms\": {}", n));
        }
        if let Some(n) = self.vcpus {
            keys.push(format!("\"vcpus\": {}", n));
        }
        if let Some(n) = self.gpaw {
            keys.push(format!("\"gpaw\": {}", n));
        }
        if !self.memory.is_empty() {
            let mut regions = String::new();
            for (i, r) in self.memory.iter().enumerate() {
                if i > 0 {
                    regions.push_str(", ");
                }
                let state = match r.state {
                    MemoryState::Mapped => "mapped",
                    MemoryState::Pending => "pending",
                };
                let _ = write!(
                    regions,
                    "{{\"gpa\": \"0x{:x}\", \"size\": \"0x{:x}\", \"state\": \"{}\"",
                    r.gpa, r.size, state
                );
                match r.page_size {
                    Some(PageSize::Size4K) => regions.push_str(", \"page_size\": \"4K\""),
                    Some(PageSize::Size2M) => regions.push_str(", \"page_size\": \"2M\""),
                    None => {}
                }
                regions.push('}');
            }
            keys.push(format!("\"memory\": [{}]", regions));
        }
        if let Some(on_demand) = self.l2_sept_on_demand {
            keys.push(format!("\"l2_sept\": \"{}\"", if on_demand { "on-demand" } else { "supplied" }));
        }
        if let Some(ref ctls) = self.vm_ctls {
            let list: Vec<String> = ctls.iter().map(|c| format!("\"0x{:x}\"", c)).collect();
            keys.push(format!("\"vm_ctls\": [{}]", list.join(", ")));
        }
        if let Some(f) = self.finalize {
            keys.push(format!("\"finalize\": {}", f));
        }
        if let Some(a) = self.attributes {
            keys.push(format!("\"attributes\": \"0x{:x}\"", a));
        }
        if let Some(x) = self.xfam {
            keys.push(format!("\"xfam\": \"0x{:x}\"", x));
        }
        if let Some(c) = self.config_flags {
            keys.push(format!("\"config_flags\": \"0x{:x}\"", c));
        }
        if let Some(ref p) = self.platform {
            keys.push(format!("\"platform\": {}", json_string(p)));
        }
        format!("{{{}}}", keys.join(", "))
    }
}

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_is_an_empty_object() {
        assert_eq!(Config::new().to_json(), "{}");
    }

    #[test]
    fn keys_are_spelled_as_the_readme_documents() {
        let json = Config::new()
            .num_l2_vms(2)
            .vcpus(1)
            .mapped(0x9000, 0x2000)
            .memory_pages(0x200000, 0x200000, MemoryState::Pending, PageSize::Size2M)
            .finalize(false)
            .platform("a\"b")
            .to_json();
        assert_eq!(
            json,
            "{\"num_l2_vms\": 2, \"vcpus\": 1, \"memory\": [{\"gpa\": \"0x9000\", \"size\": \"0x2000\", \
             \"state\": \"mapped\"}, {\"gpa\": \"0x200000\", \"size\": \"0x200000\", \"state\": \"pending\", \
             \"page_size\": \"2M\"}], \"finalize\": false, \"platform\": \"a\\\"b\"}"
        );
    }
}
