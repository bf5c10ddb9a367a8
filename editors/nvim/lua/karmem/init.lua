-- karmem.nvim: Karmem schema support for Neovim 0.7 and newer, backed by karmem-lsp.
--
--   require('karmem').setup({
--     cmd = { 'karmem-lsp', '--stdio' },          -- how to run the server
--     root_markers = { 'karmem.toml', '.git' },   -- the nearest directory with one is the root
--     settings = { inlayHints = { fieldLayout = true } },  -- karmem.* settings
--   })
--
-- Neovim 0.8+ starts the server with vim.lsp.start (one client per root directory);
-- 0.7 with vim.lsp.start_client + vim.lsp.buf_attach_client.
local M = {}

local defaults = {
  -- The server command (a list), or the path of the server binary (a string).
  cmd = { 'karmem-lsp', '--stdio' },
  -- Files or directories marking the project root; the nearest directory holding any of
  -- them wins, else the file's own directory.
  root_markers = { 'karmem.toml', '.git' },
  -- The `karmem.*` settings of docs/lsp-extensions.md, without the `karmem` wrapper; sent as
  -- initializationOptions and answered to workspace/configuration.
  settings = {},
  -- Start the server for every `karmem` buffer (set false when using vim.lsp.enable).
  autostart = true,
  -- Passed on to the client: function(client, bufnr) and the client capabilities.
  on_attach = nil,
  capabilities = nil,
}

--- The options in force (defaults merged with the last setup() call).
M.config = vim.deepcopy(defaults)

local uv = vim.loop
local client_ids = {} -- root directory -> client id (Neovim 0.7 only)

local function notify(msg, level)
  vim.notify('karmem: ' .. msg, level or vim.log.levels.INFO)
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

--- The root directory of a buffer: the nearest directory (from the file's own upwards)
--- that holds one of `root_markers`, else the file's directory (the working directory
--- for a buffer without a file).
function M.find_root(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return vim.fn.getcwd()
  end
  local start = vim.fn.fnamemodify(name, ':p:h')
  local dir = start
  while true do
    for _, marker in ipairs(M.config.root_markers or {}) do
      if exists(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return start
    end
    dir = parent
  end
end

-- The server command as a list; a string is the path of the server binary.
local function command()
  local cmd = M.config.cmd
  if type(cmd) == 'string' then
    return { cmd, '--stdio' }
  end
  return cmd
end

-- The settings, or nil when there are none (an empty Lua table would go out as `[]`).
local function settings()
  local s = M.config.settings
  if type(s) ~= 'table' or next(s) == nil then
    return nil
  end
  return s
end

local function client_config(root)
  return {
    name = 'karmem',
    cmd = command(),
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = settings(),
    settings = { karmem = settings() },
    capabilities = M.config.capabilities,
    on_attach = M.config.on_attach,
  }
end

local function live(client) -- Neovim 0.7 only
  return client ~= nil and not client.is_stopped()
end

--- Starts (or reuses) the server for the buffer's root and attaches the buffer.
--- Returns the client id, or nil when the server could not be started.
function M.start(bufnr)
  if bufnr == nil or bufnr == 0 then
    bufnr = vim.api.nvim_get_current_buf()
  end
  local root = M.find_root(bufnr)
  local config = client_config(root)
  if vim.lsp.start then -- Neovim 0.8+: reuses a client with the same name and root
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = client_ids[root]
  if not id or not live(vim.lsp.get_client_by_id(id)) then
    id = vim.lsp.start_client(config)
    client_ids[root] = id
  end
  if not id then
    notify('could not start ' .. table.concat(config.cmd, ' '), vim.log.levels.ERROR)
    return nil
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- Merges `opts` into the configuration and, unless `autostart` is false, starts the server
--- for every `karmem` buffer (the open ones and those opened later).
function M.setup(opts)
  opts = opts or {}
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts)
  -- Lists replace the defaults (tbl_deep_extend would merge them index by index).
  for _, key in ipairs({ 'cmd', 'root_markers' }) do
    if opts[key] ~= nil then
      M.config[key] = opts[key]
    end
  end
  if vim.lsp.config then -- Neovim 0.11+: vim.lsp.enable('karmem') uses the same options
    vim.lsp.config('karmem', {
      cmd = command(),
      root_markers = M.config.root_markers,
      settings = { karmem = settings() },
      init_options = settings(),
      capabilities = M.config.capabilities,
      on_attach = M.config.on_attach,
    })
  end
  local group = vim.api.nvim_create_augroup('karmem', { clear = true })
  if not M.config.autostart then
    return
  end
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'karmem',
    callback = function(args)
      M.start(args.buf)
    end,
  })
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == 'karmem' then
      M.start(buf)
    end
  end
end

local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients

--- The karmem client attached to a buffer, however it was started (setup() or
--- vim.lsp.enable), or nil.
function M.get_client(bufnr)
  for _, client in ipairs(get_clients({ bufnr = bufnr })) do
    if client.name == 'karmem' and vim.lsp.buf_is_attached(bufnr, client.id) then
      return client
    end
  end
  return nil
end

local function request(client, method, params, handler, bufnr)
  if vim.fn.has('nvim-0.11') == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function fmt_num(v)
  if v == nil or v == vim.NIL then
    return '?'
  end
  return tostring(v)
end

local function pad(s, width, right)
  s = tostring(s)
  local fill = string.rep(' ', math.max(0, width - vim.fn.strdisplaywidth(s)))
  return right and (fill .. s) or (s .. fill)
end

local function struct_lines(s, lines)
  local class = s.class == 'none' and 'no class' or s.class
  table.insert(lines, ('struct %s (%s%s), id %s'):format(s.name, class, s.packed and ', packed' or '', s.id))
  local size = s.size
  if size == nil or size == vim.NIL then
    table.insert(lines, 'size: unknown (errors)')
  else
    table.insert(
      lines,
      ('size: total %s (minimum %s, content %s, padding %s)'):format(
        size.total,
        size.minimum,
        size.content,
        size.padding
      )
    )
  end
  local rows = { { 'offset', 'size', 'field', 'type' } }
  for _, f in ipairs(s.fields or {}) do
    local fsize = (f.size ~= nil and f.size ~= vim.NIL) and f.size.field or nil
    table.insert(rows, { fmt_num(f.offset), fmt_num(fsize), f.name, f.type })
  end
  local widths = { 0, 0, 0 }
  for _, row in ipairs(rows) do
    for i = 1, 3 do
      widths[i] = math.max(widths[i], vim.fn.strdisplaywidth(row[i]))
    end
  end
  for _, row in ipairs(rows) do
    table.insert(
      lines,
      ('%s  %s  %s  %s'):format(pad(row[1], widths[1], true), pad(row[2], widths[2], true), pad(row[3], widths[3]), row[4])
    )
  end
end

--- The lines :KarmemLayout shows for a `karmem/layout` result (one struct, or the whole
--- file's structs).
function M.layout_lines(result)
  local lines = {}
  if result.struct ~= nil and result.struct ~= vim.NIL then
    struct_lines(result.struct, lines)
  else
    for i, s in ipairs(result.structs or {}) do
      if i > 1 then
        table.insert(lines, '')
      end
      struct_lines(s, lines)
    end
    if #lines == 0 then
      table.insert(lines, 'no structs')
    end
  end
  if result.complete == false then
    table.insert(lines, '')
    table.insert(lines, 'incomplete: the file has errors; sizes that depend on them are unknown (?)')
  end
  return lines
end

--- Asks the server for the layout of the struct under the cursor (the whole file outside
--- a struct) and shows it in a floating window.
function M.layout()
  local bufnr = vim.api.nvim_get_current_buf()
  local client = M.get_client(bufnr)
  if not client then
    notify('karmem-lsp is not attached to this buffer', vim.log.levels.WARN)
    return
  end
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  request(client, 'karmem/layout', params, function(err, result)
    if err then
      notify('karmem/layout failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    if result == nil or result == vim.NIL then
      notify('no layout for this buffer', vim.log.levels.WARN)
      return
    end
    vim.lsp.util.open_floating_preview(M.layout_lines(result), 'karmem-layout', {
      border = 'rounded',
      focus_id = 'karmem_layout',
    })
  end, bufnr)
end

return M
