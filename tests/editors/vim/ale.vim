" Headless smoke test: Vim + ALE + editors/vim (ALE linter) and editors/nvim (filetype,
" syntax) against karmem-lsp. Run (from tests/tests/editor_others.rs):
"   vim -Nu NONE -i NONE -n -es --cmd 'set rtp^=<ale>,<editors/nvim>,<editors/vim>' -S ale.vim
" KM_EXPECT names a JSON file: server, files.broken, the expected diagnostic (line, column,
" message). Prints `ok: ...' lines, then PASS (exit 0) or FAIL: reason (exit 1).
function! s:Out(msg) abort
  call writefile([a:msg], '/dev/stdout', 'a')
endfunction

function! s:Fail(msg) abort
  call s:Out('FAIL: ' . a:msg)
  silent! call ale#lsp#StopAll()
  cquit 1
endfunction

try
  let s:expect = json_decode(join(readfile($KM_EXPECT), "\n"))
  filetype plugin on
  syntax on
  let g:ale_lint_on_enter = 1
  let g:ale_linters_explicit = 1
  let g:ale_linters = {'karmem': ['karmem_lsp']}
  let g:ale_karmem_karmem_lsp_executable = s:expect.server
  runtime plugin/ale.vim

  execute 'edit ' . fnameescape(s:expect.files.broken)
  call s:Out('vim ' . v:version . ', ale ' . (exists('*ale#Has') ? 'loaded' : 'missing') . ', ft=' . &filetype)
  if &filetype !=# 'karmem'
    call s:Fail('filetype is ' . &filetype)
  endif
  if get(b:, 'current_syntax', '') !=# 'karmem'
    call s:Fail('syntax is ' . get(b:, 'current_syntax', ''))
  endif
  let s:root = ale_linters#karmem#karmem_lsp#GetProjectRoot(bufnr(''))
  if s:root !=# s:expect.root
    call s:Fail('project root ' . s:root . ', want ' . s:expect.root)
  endif
  call s:Out('ok: filetype, syntax, root ' . s:root)

  ALELint
  let s:want = s:expect.broken
  let s:found = {}
  let s:deadline = reltime()
  while empty(s:found) && reltimefloat(reltime(s:deadline)) * 1000 < s:expect.timeout_ms
    for s:d in ale#engine#GetLoclist(bufnr(''))
      if s:d.lnum == s:want.line && s:d.col == s:want.column && s:d.text ==# s:want.message
        let s:found = s:d
      endif
    endfor
    sleep 20m
  endwhile
  if empty(s:found)
    call s:Fail('no diagnostic ' . string(s:want) . '; ALE has ' . string(ale#engine#GetLoclist(bufnr(''))))
  endif
  if s:found.type !=# 'E'
    call s:Fail('diagnostic type ' . s:found.type)
  endif
  call s:Out('ok: diagnostic line ' . s:found.lnum . ': ' . s:found.text)
  call s:Out('PASS')
  call ale#lsp#StopAll()
  qall!
catch
  call s:Fail(v:exception . ' at ' . v:throwpoint)
endtry
