using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ActionConstraints;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Routing;

namespace CacheLayer.AspNetCore.Policies;

/// <summary>
/// Lets MVC route HEAD to a GET action marked <c>[CacheResponse]</c> (on the action or its controller), as
/// <c>.CacheResponse</c> does for minimal APIs, so the layer answers HEAD from the GET entry instead of the
/// framework's 405.
/// </summary>
internal sealed class CachedActionsAnswerHead : IActionModelConvention
{
    public void Apply(ActionModel action)
    {
        if (!action.Attributes.OfType<ICachePolicySource>().Any() && !action.Controller.Attributes.OfType<ICachePolicySource>().Any())
        {
            return;
        }
        foreach (var selector in action.Selectors)
        {
            if (selector.ActionConstraints.OfType<HttpMethodActionConstraint>().FirstOrDefault() is not { } constraint
                || !constraint.HttpMethods.Contains(HttpMethods.Get, StringComparer.OrdinalIgnoreCase)
                || constraint.HttpMethods.Contains(HttpMethods.Head, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }
            string[] methods = [.. constraint.HttpMethods, HttpMethods.Head];
            selector.ActionConstraints[selector.ActionConstraints.IndexOf(constraint)] = new HttpMethodActionConstraint(methods);
            for (var i = 0; i < selector.EndpointMetadata.Count; i++)
            {
                if (selector.EndpointMetadata[i] is HttpMethodMetadata metadata)
                {
                    selector.EndpointMetadata[i] = new HttpMethodMetadata(methods, metadata.AcceptCorsPreflight);
                }
            }
        }
    }
}
