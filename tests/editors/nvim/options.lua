-- require('karmem').setup() option handling (no server is started: autostart is off).
-- Prints PASS (exit 0) or FAIL: reason (exit 1). Run by tests/tests/editor_nvim.rs.
local ok, err = pcall(function()
  local km = require('karmem')
  -- lists given by the user replace the defaults instead of being merged index by index
  km.setup({ autostart = false, cmd = { '/opt/karmem-lsp' }, root_markers = { 'karmem.toml' } })
  assert(vim.deep_equal(km.config.cmd, { '/opt/karmem-lsp' }), vim.inspect(km.config.cmd))
  assert(vim.deep_equal(km.config.root_markers, { 'karmem.toml' }), vim.inspect(km.config.root_markers))
  -- a new setup() starts from the defaults again; nested settings are kept
  km.setup({ autostart = false, settings = { compat = { enabled = false } } })
  assert(vim.deep_equal(km.config.cmd, { 'karmem-lsp', '--stdio' }), vim.inspect(km.config.cmd))
  assert(km.config.settings.compat.enabled == false, vim.inspect(km.config.settings))
  -- autostart = false registers no FileType autocommand
  assert(#vim.api.nvim_get_autocmds({ group = 'karmem' }) == 0, 'autocommands registered')
  km.setup({ autostart = true })
  assert(#vim.api.nvim_get_autocmds({ group = 'karmem', event = 'FileType' }) == 1, 'no FileType autocommand')
  -- the user commands exist
  assert(vim.fn.exists(':KarmemLayout') == 2 and vim.fn.exists(':KarmemStart') == 2, 'commands missing')
  -- Neovim 0.11+: setup() passes its options to vim.lsp.config('karmem'), over lsp/karmem.lua
  if vim.lsp.config then
    km.setup({ autostart = false, cmd = '/opt/bin/karmem-lsp', settings = { logLevel = 'debug' } })
    local c = vim.lsp.config.karmem
    assert(vim.deep_equal(c.cmd, { '/opt/bin/karmem-lsp', '--stdio' }), vim.inspect(c.cmd))
    assert(vim.deep_equal(c.filetypes, { 'karmem' }), 'lsp/karmem.lua not merged: ' .. vim.inspect(c))
    assert(c.settings.karmem.logLevel == 'debug', vim.inspect(c.settings))
  end
end)
io.stdout:write((ok and 'PASS' or ('FAIL: ' .. tostring(err))) .. '\n')
vim.cmd(ok and 'qall!' or 'cquit 1')
