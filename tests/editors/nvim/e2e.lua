-- End-to-end test of editors/nvim (karmem.nvim) against the real karmem-lsp, driven by
-- tests/tests/editor_nvim.rs. Neovim 0.7 .. 0.11+.
--
--   nvim --headless -u NONE -i NONE -n --cmd 'set rtp^=editors/nvim' -c 'filetype plugin on' \
--        -c 'syntax on' -c 'runtime! plugin/karmem.lua' -c 'luafile e2e.lua'
--
-- KM_EXPECT names a JSON file written by the Rust test: the server binary, the mode
-- (`setup`: require('karmem').setup(); `enable`: vim.lsp.config/enable, 0.11+), the files,
-- and the expected numbers and texts (computed with the `karmem` CLI). Prints `ok: ...`
-- per check, then PASS (exit 0) or FAIL: reason (exit 1).
local function out(s)
  io.stdout:write(s .. '\n')
end

local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients
local TIMEOUT = 10000

local function finish(code)
  for _, c in ipairs(get_clients()) do
    vim.lsp.stop_client(c.id)
  end
  vim.wait(3000, function()
    return #get_clients() == 0
  end, 20)
  vim.cmd(code == 0 and 'qall!' or ('cquit ' .. code))
end

local function buffer_text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
end

-- 1-based line number and 0-based byte column of the first match of `pattern` (a Lua
-- pattern with one empty capture `()` before the word to find).
local function find(buf, pattern)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:match(pattern)
    if col then
      return i, col - 1
    end
  end
  error('pattern not found: ' .. pattern)
end

local function count_word(text, word)
  local n = 0
  for _ in text:gmatch('%f[%w_]' .. word .. '%f[^%w_]') do
    n = n + 1
  end
  return n
end

-- The floating windows (config.relative set) and their text.
local function floats()
  local list = {}
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= '' then
      table.insert(list, { win = win, text = buffer_text(vim.api.nvim_win_get_buf(win)) })
    end
  end
  return list
end

local function wait_float(pattern)
  local found
  vim.wait(TIMEOUT, function()
    for _, f in ipairs(floats()) do
      if f.text:find(pattern) then
        found = f
        return true
      end
    end
    return false
  end, 20)
  return found
end

local function close_floats()
  for _, f in ipairs(floats()) do
    pcall(vim.api.nvim_win_close, f.win, true)
  end
end

local function attached_client(buf)
  local found
  vim.wait(TIMEOUT, function()
    for _, c in ipairs(get_clients()) do
      if c.name == 'karmem' and c.initialized and vim.lsp.buf_is_attached(buf, c.id) then
        found = c
        return true
      end
    end
    return false
  end, 20)
  return found
end

local function request_sync(buf, method, params)
  local res, err = vim.lsp.buf_request_sync(buf, method, params, TIMEOUT)
  assert(res, method .. ': ' .. tostring(err))
  for _, r in pairs(res) do
    assert(not r.err, method .. ': ' .. vim.inspect(r.err))
    return r.result
  end
  error(method .. ': no response')
end

local function set_cursor(line, col)
  vim.api.nvim_win_set_cursor(0, { line, col })
end

local ok, err = pcall(function()
  local v = vim.version()
  local expect = vim.fn.json_decode(table.concat(vim.fn.readfile(os.getenv('KM_EXPECT')), '\n'))
  TIMEOUT = expect.timeout_ms or TIMEOUT
  out(('nvim %d.%d.%d, mode %s'):format(v.major, v.minor, v.patch, expect.mode))
  vim.o.hidden = true
  local cmd = { expect.server, '--stdio' }

  if expect.mode == 'enable' then
    assert(vim.lsp.enable, 'vim.lsp.enable needs Neovim 0.11+')
    vim.lsp.config('karmem', { cmd = cmd }) -- merged over lsp/karmem.lua from the plugin
    vim.lsp.enable('karmem')
  else
    -- a string `cmd` is the server binary's path
    require('karmem').setup({ cmd = expect.server, settings = expect.settings })
  end

  -- 1. A broken schema: filetype, syntax, root directory, the server's diagnostic.
  vim.cmd('edit ' .. vim.fn.fnameescape(expect.files.broken))
  local broken = vim.api.nvim_get_current_buf()
  assert(vim.bo[broken].filetype == 'karmem', "filetype is '" .. vim.bo[broken].filetype .. "'")
  assert(vim.b.current_syntax == 'karmem', 'syntax is ' .. tostring(vim.b.current_syntax))
  local struct_hl = vim.fn.synIDattr(vim.fn.synID(3, 1, 1), 'name')
  assert(struct_hl == 'karmemStructure', '`struct` highlighted as ' .. struct_hl)
  assert(vim.bo[broken].commentstring == '// %s', 'commentstring ' .. vim.bo[broken].commentstring)
  out('ok: filetype, syntax, ftplugin')

  local client = attached_client(broken)
  assert(client, 'karmem client not started/initialized/attached')
  assert(client.config.root_dir == expect.root, 'root_dir ' .. tostring(client.config.root_dir))
  out('ok: client ' .. client.name .. ' root ' .. client.config.root_dir)

  assert(vim.wait(TIMEOUT, function()
    return #vim.diagnostic.get(broken) > 0
  end, 20), 'no diagnostics for the broken schema')
  local diags = vim.diagnostic.get(broken)
  local want = expect.broken
  local match
  for _, d in ipairs(diags) do
    if d.lnum == want.line - 1 and d.col == want.column - 1 and d.message == want.message then
      match = d
    end
  end
  assert(match, 'expected ' .. vim.inspect(want) .. ', got ' .. vim.inspect(diags))
  assert(match.severity == vim.diagnostic.severity.ERROR, 'severity ' .. match.severity)
  out(('ok: diagnostic line %d: %s'):format(match.lnum + 1, match.message))

  -- :KarmemLayout outside a struct, in a file with errors: every struct, unknown numbers as ?.
  set_cursor(1, 0)
  vim.cmd('KarmemLayout')
  local partial = wait_float('incomplete')
  assert(partial, 'no :KarmemLayout window for the broken schema')
  assert(partial.text:find('struct Point', 1, true), partial.text)
  assert(partial.text:find('size: unknown', 1, true), partial.text)
  assert(partial.text:find('\n%s*%?%s+%?%s+Y%s'), 'no unknown row for Y:\n' .. partial.text)
  out('ok: :KarmemLayout on a file with errors')
  close_floats()

  -- 2. A valid schema: the same client, no diagnostics.
  vim.cmd('edit ' .. vim.fn.fnameescape(expect.files.game))
  local game = vim.api.nvim_get_current_buf()
  local again = attached_client(game)
  assert(again and again.id == client.id, 'a second buffer of the same root got another client')
  vim.wait(500, function()
    return #vim.diagnostic.get(game) > 0
  end, 20)
  assert(#vim.diagnostic.get(game) == 0, 'diagnostics on a valid schema: ' .. vim.inspect(vim.diagnostic.get(game)))
  out('ok: same client, no diagnostics on ' .. vim.fn.fnamemodify(expect.files.game, ':t'))

  -- 3. Hover over a field: its offset and size, as `karmem layout --json` says.
  local h = expect.hover
  local hl, hc = find(game, '^%s*()' .. h.field .. '%s')
  set_cursor(hl, hc)
  vim.lsp.buf.hover()
  local hover = wait_float('offset')
  assert(hover, 'no hover window')
  local offset = hover.text:match('offset:%W*(%d+)')
  local size = hover.text:match('field size:%W*(%d+)')
  assert(
    tonumber(offset) == h.offset and tonumber(size) == h.size,
    ('hover says offset %s size %s, layout --json %d and %d:\n%s'):format(offset, size, h.offset, h.size, hover.text)
  )
  out(('ok: hover %s.%s offset %s size %s'):format(h.struct, h.field, offset, size))
  close_floats()

  -- 4. :KarmemLayout on the same field: a float with every field's numbers.
  set_cursor(hl, hc)
  vim.cmd('KarmemLayout')
  local layout = wait_float('struct ' .. expect.layout.name)
  assert(layout, 'no :KarmemLayout window')
  local total = layout.text:match('total (%d+)')
  assert(tonumber(total) == expect.layout.total, 'layout total ' .. tostring(total) .. ':\n' .. layout.text)
  for _, f in ipairs(expect.layout.fields) do
    local row = ('\n%%s*%d%%s+%d%%s+%s%%s'):format(f.offset, f.size, f.name)
    assert(layout.text:find(row), ('no row %s %d %d in:\n%s'):format(f.name, f.offset, f.size, layout.text))
  end
  out(('ok: :KarmemLayout %s, %d fields, total %s'):format(expect.layout.name, #expect.layout.fields, total))
  close_floats()

  -- 5. Settings reach the server: field layout inlay hints follow karmem.inlayHints.fieldLayout.
  local last = vim.api.nvim_buf_line_count(game)
  local hints = request_sync(game, 'textDocument/inlayHint', {
    textDocument = { uri = vim.uri_from_bufnr(game) },
    range = { start = { line = 0, character = 0 }, ['end'] = { line = last, character = 0 } },
  }) or {}
  local field_hints = 0
  for _, hint in ipairs(hints) do
    local label = type(hint.label) == 'string' and hint.label or ''
    if label:match('^@%d+ %+%d+$') then
      field_hints = field_hints + 1
    end
  end
  assert(#hints > 0, 'no inlay hints at all')
  assert(
    (field_hints > 0) == expect.field_hints,
    ('%d field layout hints of %d, fieldLayout should be %s'):format(field_hints, #hints, tostring(expect.field_hints))
  )
  out(('ok: inlay hints %d, field layout hints %d'):format(#hints, field_hints))

  -- 6. Go to definition: from a use of a struct to its declaration.
  local d = expect.definition
  local ul, uc = find(game, '^%s*' .. d.from_field .. '%s+()' .. d.name)
  local dl, dc = find(game, '^struct%s+()' .. d.name .. '%f[^%w_]')
  set_cursor(ul, uc)
  vim.lsp.buf.definition()
  assert(vim.wait(TIMEOUT, function()
    return vim.api.nvim_win_get_cursor(0)[1] == dl
  end, 20), ('cursor at %s, declaration at line %d'):format(vim.inspect(vim.api.nvim_win_get_cursor(0)), dl))
  local cur = vim.api.nvim_win_get_cursor(0)
  assert(cur[2] == dc, ('definition column %d, want %d'):format(cur[2], dc))
  assert(vim.api.nvim_get_current_buf() == game, 'definition left the buffer')
  out(('ok: definition of %s at line %d col %d'):format(d.name, dl, dc))

  -- 7. Rename every use of the struct (the cursor is on its declaration).
  local before = count_word(buffer_text(game), d.name)
  assert(before >= 3, 'expected several uses of ' .. d.name)
  vim.lsp.buf.rename(d.new_name)
  assert(vim.wait(TIMEOUT, function()
    return count_word(buffer_text(game), d.name) == 0
  end, 20), 'rename did not happen:\n' .. buffer_text(game))
  local after = count_word(buffer_text(game), d.new_name)
  assert(after == before, ('%d uses of %s became %d of %s'):format(before, d.name, after, d.new_name))
  -- The server has the renamed text, and it has no errors.
  local renamed = request_sync(game, 'karmem/layout', { textDocument = { uri = vim.uri_from_bufnr(game) } })
  assert(renamed and renamed.complete == true, 'after the rename: ' .. vim.inspect(renamed))
  local names = {}
  for _, s in ipairs(renamed.structs) do
    names[s.name] = true
  end
  assert(names[d.new_name] and not names[d.name], 'server structs after rename: ' .. vim.inspect(vim.tbl_keys(names)))
  out(('ok: rename %s -> %s, %d uses'):format(d.name, d.new_name, after))

  -- 8. Formatting gives what `karmem fmt` gives.
  vim.cmd('edit ' .. vim.fn.fnameescape(expect.files.unformatted))
  local messy = vim.api.nvim_get_current_buf()
  assert(attached_client(messy), 'client not attached to ' .. expect.files.unformatted)
  local want_lines = vim.fn.readfile(expect.files.formatted)
  assert(not vim.deep_equal(vim.api.nvim_buf_get_lines(messy, 0, -1, false), want_lines), 'already formatted')
  if vim.lsp.buf.format then
    vim.lsp.buf.format({ bufnr = messy, async = false, timeout_ms = TIMEOUT })
  else
    vim.lsp.buf.formatting_sync(nil, TIMEOUT)
  end
  local got = vim.api.nvim_buf_get_lines(messy, 0, -1, false)
  assert(
    vim.deep_equal(got, want_lines),
    'formatted:\n' .. table.concat(got, '\n') .. '\nkarmem fmt:\n' .. table.concat(want_lines, '\n')
  )
  out(('ok: formatting, %d lines as karmem fmt'):format(#got))
end)

if ok then
  out('PASS')
  finish(0)
else
  out('FAIL: ' .. tostring(err))
  finish(1)
end
