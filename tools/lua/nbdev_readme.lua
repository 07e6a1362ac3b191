--[[ Lay out a notebook processed by nbdev (`_proc/index.ipynb`) as nbdev's README.md, which Quarto renders with
`-t gfm --no-execute -M wrap:preserve`:

  # <title>                      (from the front matter nbdev writes in the first raw cell)

  > <description>                (the notebook's `> subtitle`: one deliberate addition to Quarto's layout, so that
                                  GitHub and PyPI readers see the one-line summary the docs home page shows)
  <!-- WARNING: ... -->
  markdown cells as they are
  ``` python                     code cells, without their `#|` options
  ```
      output                     text outputs as indented blocks, Markdown (show_doc) as Markdown, HTML (tables)
                                 as raw HTML, plots as images (make_readme.py saves them, as Quarto does)

Cell options read as Quarto reads them: `include: false` drops the cell, `echo: false` its code, `output: false`
its outputs. Every notebook cell is a Div for pandoc's ipynb reader; the GFM writer would print those as <div>s, so
they are unwrapped. ]]

local function cell_options(code)
  local opts, body, head = {}, {}, true
  for line in (code .. '\n'):gmatch('(.-)\n') do
    local k, v = line:match('^#|%s*([%w_-]+)%s*:%s*(.-)%s*$')
    if head and k then
      opts[k] = v
    else
      head = head and line:match('^#|') ~= nil
      if not head then table.insert(body, line) end
    end
  end
  return opts, table.concat(body, '\n'):gsub('%s+$', '')
end

local function has(el, cls)
  for _, c in ipairs(el.classes) do if c == cls then return true end end
  return false
end

local function output_blocks(div, out)
  for _, b in ipairs(div.content) do
    if b.t == 'CodeBlock' then
      table.insert(out, pandoc.CodeBlock(b.text))  -- no class: the GFM writer indents it, as Quarto does
    elseif b.t == 'RawBlock' and b.format == 'markdown' then  -- show_doc, and the plots make_readme.py saved
      for _, x in ipairs(pandoc.read(b.text, 'markdown').blocks) do table.insert(out, x) end
    else
      table.insert(out, pandoc.walk_block(b, {Image = function(img) img.attr = pandoc.Attr(); return img end}))
    end
  end
end

local function code_cell(div, out)
  local opts = {}
  for _, b in ipairs(div.content) do
    if b.t == 'CodeBlock' then
      local code
      opts, code = cell_options(b.text)
      if opts.include == 'false' then return end
      if opts.echo ~= 'false' and code ~= '' then table.insert(out, pandoc.CodeBlock(code, pandoc.Attr('', {'python'}))) end
    elseif b.t == 'Div' and has(b, 'output') then
      if opts.output ~= 'false' then output_blocks(b, out) end
    end
  end
end

function Pandoc(doc)
  local blocks, meta = {}, nil
  for _, cell in ipairs(doc.blocks) do
    if cell.t == 'Div' and has(cell, 'raw') then
      local raw = cell.content[1]
      if raw and raw.t == 'RawBlock' and raw.text:match('^%-%-%-') and meta == nil then
        meta = pandoc.read(raw.text, 'markdown').meta
      elseif raw and raw.t == 'RawBlock' and (raw.format == 'markdown' or raw.format == 'html') then
        table.insert(blocks, raw)
      end
    elseif cell.t == 'Div' and has(cell, 'code') then
      code_cell(cell, blocks)
    elseif cell.t == 'Div' and has(cell, 'markdown') then
      for _, b in ipairs(cell.content) do table.insert(blocks, b) end
    else
      table.insert(blocks, cell)
    end
  end
  local head = {}
  if meta and meta.title then table.insert(head, pandoc.Header(1, meta.title)) end
  if meta and meta.description then table.insert(head, pandoc.BlockQuote({pandoc.Para(meta.description)})) end
  for i = #head, 1, -1 do table.insert(blocks, 1, head[i]) end
  return pandoc.Pandoc(blocks, pandoc.Meta({}))
end
