-- karmem.nvim: user commands. The language server starts through
-- `require('karmem').setup()` (any Neovim from 0.7) or `vim.lsp.enable('karmem')` (0.11+).
if vim.g.loaded_karmem then
  return
end
vim.g.loaded_karmem = true

vim.api.nvim_create_user_command('KarmemLayout', function()
  require('karmem').layout()
end, { desc = 'Karmem: show the memory layout of the struct under the cursor' })

vim.api.nvim_create_user_command('KarmemStart', function()
  require('karmem').start(vim.api.nvim_get_current_buf())
end, { desc = 'Karmem: start karmem-lsp for this buffer' })
