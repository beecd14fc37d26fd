-- Drives the bundled mailtopo language server from Neovim's own LSP client
-- (an independent, third-party implementation) over stdio. Run by neovim.sh:
--   SERVER=dist/server.cjs FILE=<a .mailtopo file> OUT=<result json> nvim --headless -u NONE -i NONE -n -c "luafile test/integration/neovim.lua"
-- Writes what came back to OUT as JSON, then quits. Live DNS checks are off.
local server = os.getenv('SERVER')
local file = os.getenv('FILE')
local out = os.getenv('OUT')
local results = { diagnostics = nil, steps = {} }

local function write_and_quit(code)
  local f = io.open(out, 'w')
  f:write(vim.fn.json_encode(results))
  f:close()
  if code == 0 then vim.cmd('qall!') else vim.cmd('cquit ' .. code) end
end

vim.defer_fn(function()
  results.timeout = true
  write_and_quit(2)
end, 20000)

local started = false
local client_id

local function step(name, value) results.steps[name] = value end

local function buffer_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
end

local function find(bufnr, needle, delta)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  for i, l in ipairs(lines) do
    local s = string.find(l, needle, 1, true)
    if s then return { line = i - 1, character = s - 1 + (delta or 0) } end
  end
  error('not found: ' .. needle)
end

local function run(bufnr)
  local client = vim.lsp.get_client_by_id(client_id)
  local uri = vim.uri_from_bufnr(bufnr)
  local function at(needle, delta) return { textDocument = { uri = uri }, position = find(bufnr, needle, delta) } end

  client.request('textDocument/completion', at('  rol edge', 5), function(err, result)
    local labels = {}
    for _, item in ipairs((result and (result.items or result)) or {}) do table.insert(labels, item.label) end
    step('completion', { err = err and err.message, labels = labels })

    client.request('textDocument/hover', at('mx 10 edge1', 7), function(err2, hover)
      step('hover', { err = err2 and err2.message, value = hover and hover.contents and (hover.contents.value or hover.contents) })

      client.request('textDocument/definition', at('mx 10 edge1', 7), function(err3, defs)
        local d = defs and (defs[1] or defs) or nil
        step('definition', { err = err3 and err3.message, line = d and d.range and d.range.start.line, uri = d and d.uri })

        client.request('textDocument/rename', vim.tbl_extend('force', at('mx 10 edge1', 7), { newName = 'gw1' }), function(err4, edit)
          if edit then vim.lsp.util.apply_workspace_edit(edit, 'utf-16') end
          step('rename', { err = err4 and err4.message, text = buffer_text(bufnr) })

          client.request('textDocument/formatting', { textDocument = { uri = uri }, options = { tabSize = 2, insertSpaces = true } }, function(err5, edits)
            if edits then vim.lsp.util.apply_text_edits(edits, bufnr, 'utf-16') end
            step('formatting', { err = err5 and err5.message, text = buffer_text(bufnr) })
            write_and_quit(0)
          end, bufnr)
        end, bufnr)
      end, bufnr)
    end, bufnr)
  end, bufnr)
end

client_id = vim.lsp.start_client({
  name = 'mailtopo',
  cmd = { 'node', server, '--stdio' },
  root_dir = vim.fn.fnamemodify(file, ':h'),
  init_options = { settings = { liveChecks = { enabled = false } } },
  settings = { mailtopo = { liveChecks = { enabled = false } } },
  handlers = {
    ['textDocument/publishDiagnostics'] = function(err, params, ctx, config)
      if started or not params or not string.find(params.uri, 'topo.mailtopo', 1, true) then return end
      started = true
      local codes, list = {}, {}
      for _, d in ipairs(params.diagnostics) do
        table.insert(codes, d.code)
        table.insert(list, { code = d.code, line = d.range.start.line, character = d.range.start.character, href = d.codeDescription and d.codeDescription.href })
      end
      results.diagnostics = { codes = codes, version = params.version, list = list }
      vim.schedule(function() run(vim.fn.bufnr(file)) end)
    end,
  },
  on_exit = function(code) results.server_exit = code end,
})

vim.cmd('edit ' .. file)
vim.bo.filetype = 'mailtopo'
vim.lsp.buf_attach_client(0, client_id)
