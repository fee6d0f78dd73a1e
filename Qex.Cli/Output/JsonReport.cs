using System.Text;
using System.Text.Json;

namespace Qex.Cli.Output;

/// <summary>
/// A JSON document written field by field with <see cref="Utf8JsonWriter"/> (indented). The reflection-based serializer
/// compiled some 240 methods at the first report, a tenth of a small molecule's whole run; numbers here are written
/// exactly as it writes them (shortest round-trip form), and null values as null.
/// </summary>
internal sealed class JsonReport : IDisposable
{
    private readonly MemoryStream _stream = new();
    private readonly Utf8JsonWriter _writer;

    public JsonReport()
    {
        _writer = new Utf8JsonWriter(_stream, new JsonWriterOptions { Indented = true });
        _writer.WriteStartObject();
    }

    public Utf8JsonWriter Writer => _writer;

    public JsonReport Number(string name, double? value)
    {
        if (value is { } v) _writer.WriteNumber(name, v);
        else _writer.WriteNull(name);
        return this;
    }

    public JsonReport Number(string name, long? value)
    {
        if (value is { } v) _writer.WriteNumber(name, v);
        else _writer.WriteNull(name);
        return this;
    }

    public JsonReport String(string name, string? value)
    {
        if (value is null) _writer.WriteNull(name);
        else _writer.WriteString(name, value);
        return this;
    }

    public JsonReport Bool(string name, bool value)
    {
        _writer.WriteBoolean(name, value);
        return this;
    }

    public JsonReport Numbers(string name, IReadOnlyList<double>? values)
    {
        if (values is null)
        {
            _writer.WriteNull(name);
            return this;
        }
        _writer.WriteStartArray(name);
        foreach (double v in values) _writer.WriteNumberValue(v);
        _writer.WriteEndArray();
        return this;
    }

    /// <summary>An object of named number arrays (null: the field is null).</summary>
    public JsonReport NumberArrays(string name, IReadOnlyList<(string Key, double[] Values)>? entries)
    {
        if (entries is null)
        {
            _writer.WriteNull(name);
            return this;
        }
        _writer.WriteStartObject(name);
        foreach (var (key, values) in entries) Numbers(key, values);
        _writer.WriteEndObject();
        return this;
    }

    /// <summary>An object of named numbers.</summary>
    public JsonReport NumberMap(string name, IEnumerable<KeyValuePair<string, double>> entries)
    {
        _writer.WriteStartObject(name);
        foreach (var (key, value) in entries) _writer.WriteNumber(key, value);
        _writer.WriteEndObject();
        return this;
    }

    /// <summary>Closes the document and returns it as text (write nothing after this).</summary>
    public string Finish()
    {
        _writer.WriteEndObject();
        _writer.Flush();
        return Encoding.UTF8.GetString(_stream.GetBuffer(), 0, (int)_stream.Length);
    }

    public void Dispose()
    {
        _writer.Dispose();
        _stream.Dispose();
    }
}
