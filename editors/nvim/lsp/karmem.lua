-- Neovim 0.11+: the default configuration of `vim.lsp.config('karmem')`, used by
-- `vim.lsp.enable('karmem')`. `require('karmem').setup()` is the alternative for every
-- Neovim from 0.7 on; use one or the other.
return {
  cmd = { 'karmem-lsp', '--stdio' },
  filetypes = { 'karmem' },
  root_markers = { 'karmem.toml', '.git' },
  -- karmem.* settings (docs/lsp-extensions.md) go in `settings = { karmem = {...} }`
  -- (and `init_options`, which the server reads at start-up).
}
