using System.Net;
using System.Net.Sockets;

namespace CacheLayer.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy in front of the store that can stop forwarding: <see cref="Pause"/> keeps
/// connections open but lets nothing through (a stalled or overloaded Redis); <see cref="Sever"/>
/// drops them and refuses new ones (an unreachable Redis) while the store itself keeps its data.
/// </summary>
public sealed class PausableTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _accepting;
    private TaskCompletionSource _open = OpenGate();
    private volatile bool _severed;

    public PausableTcpProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string ConnectionString => $"127.0.0.1:{Port}";

    public void Pause() => Interlocked.Exchange(ref _open, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Sever()
    {
        _severed = true;
        lock (_connections)
        {
            _connections.ForEach(connection => connection.Dispose());
            _connections.Clear();
        }
    }

    public void Resume()
    {
        _severed = false;
        _open.TrySetResult();
    }

    private static TaskCompletionSource OpenGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (_severed)
            {
                client.Dispose();
                continue;
            }

            // No Nagle: small writes (a replica's acknowledgement) pass at once, as they would without the proxy.
            client.NoDelay = true;
            var upstream = new TcpClient { NoDelay = true };
            await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stopping.Token);
            lock (_connections)
            {
                _connections.Add(client);
                _connections.Add(upstream);
            }
            NetworkStream fromClient, fromUpstream;
            try
            {
                fromClient = client.GetStream();
                fromUpstream = upstream.GetStream();
            }
            catch (InvalidOperationException)
            {
                // The client (a reconnect attempt) hung up between accept and here.
                client.Dispose();
                upstream.Dispose();
                continue;
            }
            _ = PumpAsync(fromClient, fromUpstream);
            _ = PumpAsync(fromUpstream, fromClient);
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stopping.Token)) > 0)
            {
                await _open.Task.WaitAsync(_stopping.Token);
                await to.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            try
            {
                to.Socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception exception) when (exception is ObjectDisposedException or SocketException)
            {
                // Already closed by Sever or Dispose.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Resume();
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_connections)
        {
            _connections.ForEach(connection => connection.Dispose());
        }
        _stopping.Dispose();
    }
}
